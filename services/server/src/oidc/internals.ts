import { hash } from 'node:crypto';
import type { Knex } from 'knex';
import Provider, { errors } from 'oidc-provider';
import { enqueueClientLogoutAndWake } from '../backchannel/wake.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { claimReplay, type ModelPayload } from '../db/oidc-models.ts';
import { isStorableText } from '../db/storable-text.ts';
import type { Limiter } from '../ratelimit/index.ts';
import type { MetadataCache } from './metadata-cache.ts';
import type { Store } from '../store/index.ts';
import { cookieNames, isHostOnly } from './cookies.ts';

/** RFC 8628 §3.5: clients must wait this long between polls; sent as `interval` (oidc-provider omits it). */
export const DEVICE_POLL_INTERVAL_SECONDS = 5;

type ModelStatic = { find: (...args: unknown[]) => Promise<unknown> };

/** 429 from inside the provider (client authentication refused by the limiter). */
class TooManyAttempts extends errors.OIDCProviderError {
  constructor(seconds: number) {
    super(429, 'temporarily_unavailable');
    Object.assign(this, { error_description: `too many failed client authentications; retry after ${seconds} seconds` });
  }
}

/**
 * The only place that reaches into oidc-provider beyond its documented
 * configuration. Each patch says why; re-check them on every upgrade.
 */
export function applyInternals(provider: Provider, deps: { keyring: Keyring; store: Store; knex: Knex; limiter: Limiter; clients?: MetadataCache<ModelPayload> }): void {
  if (deps.clients) reuseClientsPerCachedRow(provider, deps.clients);

  // We store client secrets as keyed hashes (DESIGN.md: secrets hashed at
  // rest), so the client's `clientSecret` is the hash and comparison must go
  // through the keyring. Symmetric uses of the secret (HS* signing,
  // client_secret_jwt) are disabled in configuration.ts for the same reason.
  //
  // Every wrong secret is a 'client-auth' attempt (per client and IP, no
  // per-client lock a stranger could trigger); the attempt is reserved before
  // it is judged, so a parallel burst of wrong ones cannot overshoot. A right
  // secret costs no limiter round trip (it was one Redis call per limit on
  // every token request): the limit exists to bound guessing, and a 256-bit
  // secret presented correctly is no guess. This is the one place all
  // secret-authenticating endpoints (token, introspection, revocation, PAR,
  // device authorization) pass through; other methods prove a private key.
  type ClientSelf = { clientId: string; clientSecret?: string };
  const clientPrototype = (provider.Client as unknown as { prototype: { compareClientSecret: (this: ClientSelf, actual: string) => Promise<boolean> } }).prototype;
  clientPrototype.compareClientSecret = async function compareClientSecret(actual: string) {
    const matches = typeof this.clientSecret === 'string' && typeof actual === 'string' && deps.keyring.verify('client-secret', actual, this.clientSecret);
    if (matches) return true;
    const ctx = Provider.ctx;
    // Express's req.ip (LATCHKEY_TRUST_PROXY applies); Koa shares the request object.
    const ip = (ctx?.req as { ip?: string } | undefined)?.ip ?? ctx?.ip;
    const verdict = await deps.limiter.attempt('client-auth', { ip, account: this.clientId });
    if (!verdict.allowed) {
      ctx?.set('Retry-After', String(verdict.retryAfterSeconds));
      throw new TooManyAttempts(verdict.retryAfterSeconds);
    }
    await verdict.fail();
    return false;
  };

  // oidc-provider defines `slow_down` but never sends it. A device code looked
  // up at the token endpoint is a poll; the first poll in each interval
  // claims a key in the shared store (atomic across replicas), later ones are
  // told to slow down.
  const DeviceCode = provider.DeviceCode as unknown as ModelStatic;
  const find = DeviceCode.find.bind(DeviceCode);
  DeviceCode.find = async (...args: unknown[]) => {
    const code = (await find(...args)) as { jti: string } | undefined;
    const ctx = Provider.ctx as { oidc?: { route?: string } } | undefined;
    if (code && ctx?.oidc?.route === 'token') {
      const first = await deps.store.setIfAbsent(`device_poll:${code.jti}`, '1', DEVICE_POLL_INTERVAL_SECONDS);
      if (!first) throw new errors.SlowDown();
    }
    return code;
  };

  // The device authorization response names the interval the slow_down above enforces, so clients need
  // not guess it (RFC 8628 §3.2; oidc-provider leaves `interval` out).
  provider.use(async (ctx, next) => {
    await next();
    const route = (ctx as { oidc?: { route?: string } }).oidc?.route;
    if (route === 'device_authorization' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      Object.assign(ctx.body, { interval: DEVICE_POLL_INTERVAL_SECONDS });
    }
  });

  // oidc-provider checks a DPoP proof's or client assertion's jti with a
  // find followed by a save, so two parallel replays could both pass. Claim
  // the jti with one insert instead; the row's unique key decides.
  const ReplayDetection = provider.ReplayDetection as unknown as { unique: (iss: string, jti: string, exp: number) => Promise<boolean> };
  ReplayDetection.unique = async (iss, jti, exp) => {
    const id = hash('sha256', `${iss}${jti}`, 'base64url');
    const now = Math.floor(Date.now() / 1000);
    return claimReplay(deps.knex, id, { iat: now, exp, jti: id, iss, kind: 'ReplayDetection' }, Math.max(exp - now, 1));
  };

  enqueueProviderBackchannelLogouts(provider, (input) => enqueueClientLogoutAndWake(deps.knex, input));
}

/**
 * Client.find asks the adapter for the client's metadata on every request, then serializes and
 * hashes it to find the Client it built before from the same metadata; with the adapter's copy of
 * the cached row, that was ~4 % of a JWT token request's CPU. The same cached row (the adapter's
 * metadata cache: a change or its expiry gives a new row object) now gives the same Client at once.
 * The provider itself already shares one Client between requests for the same metadata.
 */
function reuseClientsPerCachedRow(provider: Provider, clients: MetadataCache<ModelPayload>): void {
  const Client = provider.Client as unknown as { find: (id: unknown) => Promise<unknown> };
  const find = Client.find.bind(Client);
  const built = new WeakMap<object, unknown>();
  Client.find = async (id: unknown) => {
    const row = typeof id === 'string' && isStorableText(id) ? await clients.get(id) : undefined;
    const known = row && built.get(row);
    if (known) return known;
    // The adapter reads the cache again: this row, or a newer one if it changed in between (this
    // row is then never served again, so what it maps to is never asked for).
    const client = await find(id);
    if (row && client) built.set(row, client);
    return client;
  };
}

/**
 * Patches that tie the provider to its issuer: the host and scheme of every
 * URL it builds, and its interaction cookies (see each function).
 */
export function bindToIssuer(provider: Provider): void {
  seeRequestsAsIssuer(provider, provider.issuer);
  bindResumeToItsCookie(provider, provider.issuer);
}

/**
 * Koa builds oidc-provider's URLs (discovery, jwks_uri, the device
 * verification_uri, form actions, redirects) from the request's Host,
 * X-Forwarded-Host/-Proto or an absolute-form target, and takes ctx.ip from
 * X-Forwarded-For without asking which proxy sent it. Here the provider sees
 * every request as addressed to the issuer, from the client address Express
 * resolved through LATCHKEY_TRUST_PROXY.
 */
function seeRequestsAsIssuer(provider: Provider, issuer: string): void {
  const { protocol, host, hostname } = new URL(issuer);
  const origin = `${protocol}//${host}`;
  const pathOf = (target: string | undefined) => {
    if (!target) return '/';
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
    try {
      const url = new URL(target);
      return `${url.pathname}${url.search}`;
    } catch {
      return '/';
    }
  };
  provider.proxy = false;
  type KoaRequest = { originalUrl?: string; req: { ip?: string; socket: { remoteAddress?: string } } };
  Object.defineProperties((provider as unknown as { request: object }).request, {
    host: { get: () => host },
    hostname: { get: () => hostname },
    protocol: { get: () => protocol.slice(0, -1) },
    href: {
      get(this: KoaRequest) {
        return `${origin}${pathOf(this.originalUrl)}`;
      },
    },
    URL: {
      get(this: KoaRequest) {
        return new URL(pathOf(this.originalUrl), origin);
      },
    },
    ip: {
      get(this: KoaRequest) {
        return this.req.ip ?? this.req.socket.remoteAddress ?? '';
      },
      set() {},
    },
  });
}

const RESUME_ROUTES = new Set(['resume', 'device_resume']);

/**
 * The resume step (/auth/:uid, /device/:uid) trusts whichever interaction its
 * cookie names and never compares it with the uid in the URL; per-interaction
 * cookie paths made that safe, but a `__Host-` cookie must have Path=/. So an
 * interaction is found at resume only under its own uid, and over https the
 * resume cookie (set and cleared with its interaction's path, which
 * configuration cannot change) is moved to Path=/ for its `__Host-` name.
 */
function bindResumeToItsCookie(provider: Provider, issuer: string): void {
  const Interaction = provider.Interaction as unknown as ModelStatic;
  const find = Interaction.find.bind(Interaction);
  Interaction.find = async (...args: unknown[]) => {
    const ctx = Provider.ctx as { oidc?: { route?: string }; params?: { uid?: string } } | undefined;
    if (ctx?.oidc?.route && RESUME_ROUTES.has(ctx.oidc.route) && ctx.params?.uid !== args[0]) return undefined;
    return find(...args);
  };

  if (!isHostOnly(issuer)) return;
  const resume = cookieNames(issuer).resume;
  const isResume = (cookie: string) => cookie.startsWith(`${resume}=`) || cookie.startsWith(`${resume}.sig=`);
  provider.use(async (ctx, next) => {
    await next();
    const header = ctx.response.get('set-cookie') as string | string[] | undefined;
    if (!header) return;
    const cookies = [header].flat();
    if (!cookies.some(isResume)) return;
    ctx.set('set-cookie', cookies.map((cookie) => (isResume(cookie) ? cookie.replace(/;\s*path=[^;]*/i, '; path=/') : cookie)));
  });
}

/**
 * oidc-provider refuses to introspect JWT access tokens ("structured tokens
 * cannot be introspected": it does not store them) and knows nothing of
 * personal API tokens. After it has authenticated the client, it answers such
 * a token with `unsupported_token_type` (JWT) or `active: false` (anything
 * not found); only then do we replace that answer with ours, so client
 * authentication, its rate limit and the parameter checks stay the provider's.
 */
export function answerSelfContainedIntrospection(provider: Provider, answer: (clientId: string, token: string) => Promise<Record<string, unknown> | undefined>): void {
  type IntrospectionCtx = {
    status: number;
    body: unknown;
    oidc?: { route?: string; client?: { clientId: string }; params?: { token?: unknown } };
  };
  provider.use(async (ctx, next) => {
    await next();
    const c = ctx as unknown as IntrospectionCtx;
    if (c.oidc?.route !== 'introspection' || !c.oidc.client) return;
    const token = c.oidc.params?.token;
    if (typeof token !== 'string') return;
    const body = c.body as { error?: string; active?: boolean } | undefined;
    // The only two answers given after a successful client authentication to a token the provider could not use.
    const unsupported = c.status === 400 && body?.error === 'unsupported_token_type';
    const notFound = c.status === 200 && body?.active === false;
    if (!unsupported && !notFound) return;
    const ours = await answer(c.oidc.client.clientId, token);
    if (!ours) return;
    c.status = 200;
    c.body = ours;
  });
}

/**
 * Back-channel logout goes through our outbox (src/backchannel/) instead of
 * oidc-provider's single best-effort POST: at RP-initiated logout the
 * provider names each client to notify; we record it (the POST is the
 * worker's, with retries). Sessions ended any other way are enqueued where
 * they end (sessions/revoke.ts).
 */
export function enqueueProviderBackchannelLogouts(provider: Provider, enqueue: (input: { clientId: string; accountId: string; sid: string | undefined }) => Promise<void>): void {
  type ClientSelf = { clientId: string };
  const clientPrototype = (provider.Client as unknown as { prototype: { backchannelLogout: (this: ClientSelf, sub: string, sid: string) => Promise<void> } }).prototype;
  clientPrototype.backchannelLogout = async function backchannelLogout(sub: string, sid: string) {
    await enqueue({ clientId: this.clientId, accountId: sub, sid });
  };
}

/**
 * A logout token (OpenID Back-Channel Logout 1.0 §2.4) built by
 * oidc-provider's own ID token code, so `sub` (pairwise included), `aud`,
 * `iss` and the signing algorithm are those of the client's ID tokens:
 * `typ: logout+jwt`, two minutes' lifetime, the back-channel logout event.
 * Undefined when the client no longer exists.
 */
export async function issueLogoutToken(provider: Provider, input: { clientId: string; accountId: string; sid: string | null; jti: string }): Promise<string | undefined> {
  const client = await provider.Client.find(input.clientId);
  if (!client) return undefined;
  type Token = { mask: unknown; set: (key: string, value: unknown) => void; issue: (options: { use: string }) => Promise<string> };
  const IdToken = provider.IdToken as unknown as new (claims: object, options: { client: unknown; ctx: undefined }) => Token;
  const token = new IdToken({ sub: input.accountId }, { client, ctx: undefined });
  token.mask = { sub: null };
  token.set('events', { 'http://schemas.openid.net/event/backchannel-logout': {} });
  token.set('jti', input.jti);
  if (input.sid) token.set('sid', input.sid);
  return token.issue({ use: 'logout' });
}
