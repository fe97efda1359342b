import { checkAuthorizationResponse, type Transaction } from './authorization.ts';
import { describeKey, createProof, type DpopKey } from './dpop.ts';
import { pkceChallenge, random } from './encoding.ts';
import { LatchkeyError } from './errors.ts';
import { decodeJwt, validateIdToken, type Claims } from './id-token.ts';
import { deleteRecord, loadKeyPair, readRecord, writeRecord } from './key-store.ts';
import { withLock } from './lock.ts';

export type TokenStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export type LatchkeyOptions = {
  /** e.g. `https://auth.example.com`: exactly the issuer its discovery document names. */
  issuer: string;
  clientId: string;
  /** Registered with the client; the page that calls handleRedirect(). */
  redirectUri: string;
  /** Default `openid profile email offline_access` (offline_access: a refresh token). */
  scopes?: string[];
  /** An API (RFC 8707 resource indicator) the access token is for. */
  resource?: string;
  /** Bind tokens to a non-extractable key kept in IndexedDB (RFC 9449). Default true. */
  dpop?: boolean;
  /** Where tokens live; shared by tabs. Default localStorage. */
  storage?: TokenStorage;
  /** Where signOut() lands (registered as a post-logout redirect URI). */
  postLogoutRedirectUri?: string;
};

export type SignInOptions = {
  /** Extra authorization parameters (`prompt`, `login_hint`, `ui_locales`, …). */
  params?: Record<string, string>;
  /** Handed back by handleRedirect(), e.g. the route to show after sign-in. */
  returnTo?: string;
};

export type LatchkeyEvents = { signedIn: Claims; signedOut: undefined; tokenRefreshed: undefined; error: LatchkeyError };

type Tokens = { access_token: string; token_type: string; expires_at: number; refresh_token?: string; id_token?: string; scope?: string };
type Metadata = Record<string, string | boolean | undefined> & { issuer: string; authorization_endpoint: string; token_endpoint: string; jwks_uri: string };

// Refresh this long before the access token expires, so a call never carries a token about to lapse.
const EARLY_REFRESH_SECONDS = 30;
const now = () => Math.floor(Date.now() / 1000);

async function json<T>(response: Response): Promise<T> {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new LatchkeyError(body.error ?? 'server_error', body.error_description ?? `${response.url} answered ${response.status}`);
  return body;
}

export type Latchkey = ReturnType<typeof createLatchkey>;

export function createLatchkey(options: LatchkeyOptions) {
  const { issuer, clientId, redirectUri, resource } = options;
  const dpop = options.dpop !== false;
  const storage = options.storage ?? localStorage;
  const tokensKey = `latchkey:${clientId}`;
  const transactionKey = `${tokensKey}:signin`;
  const refreshedKey = `${clientId}:refreshed`;
  const listeners: Record<string, Set<(value: never) => void>> = {};
  const nonces: Record<string, string> = {};
  let metadata: Promise<Metadata> | undefined;
  let jwks: Promise<JsonWebKey[]> | undefined;
  let key: Promise<DpopKey> | undefined;

  const emit = <E extends keyof LatchkeyEvents>(event: E, value: LatchkeyEvents[E]) => listeners[event]?.forEach((fn) => fn(value as never));
  const read = (): Tokens | null => JSON.parse(storage.getItem(tokensKey) ?? 'null');
  const save = (tokens: Tokens) => storage.setItem(tokensKey, JSON.stringify(tokens));

  // Errors go to `error` listeners and to the caller alike.
  const reported = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (error) {
      const reportedError = error instanceof LatchkeyError ? error : new LatchkeyError('network_error', String(error));
      emit('error', reportedError);
      throw reportedError;
    }
  };

  const discover = (): Promise<Metadata> =>
    (metadata ??= fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)
      .then((r) => json<Metadata>(r))
      .then((m) => {
        if (m.issuer !== issuer) throw new LatchkeyError('issuer_mismatch', `discovery names issuer ${m.issuer}, not ${issuer}`);
        return m;
      })
      .catch((error) => {
        metadata = undefined;
        throw error;
      }));

  const keys = (refresh: boolean) =>
    (refresh || !jwks ? (jwks = discover().then((m) => fetch(m.jwks_uri)).then((r) => json<{ keys: JsonWebKey[] }>(r)).then((set) => set.keys)) : jwks);

  const dpopKey = async (create = false): Promise<DpopKey> => {
    const pair = await loadKeyPair(clientId, create);
    if (!pair) throw new LatchkeyError('signed_out', 'no DPoP key: sign in first');
    return describeKey(pair);
  };
  const currentKey = () => (key ??= dpopKey().catch((error) => ((key = undefined), Promise.reject(error))));

  /** fetch with a fresh DPoP proof; once more with the server's nonce when it asks for one (RFC 9449 §8, §9). */
  async function send(url: string, init: RequestInit, accessToken?: string): Promise<Response> {
    const { origin } = new URL(url);
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(init.headers);
      const sent = nonces[origin];
      if (dpop) headers.set('DPoP', await createProof(await currentKey(), init.method ?? 'GET', url, { accessToken, nonce: sent }));
      const response = await fetch(url, { ...init, headers });
      const nonce = response.headers.get('DPoP-Nonce');
      if (nonce) nonces[origin] = nonce;
      if (attempt || !nonce || nonce === sent) return response;
      const asked =
        response.status === 401
          ? /use_dpop_nonce/.test(response.headers.get('WWW-Authenticate') ?? '')
          : response.status === 400 && (await response.clone().json().catch(() => ({}))).error === 'use_dpop_nonce';
      if (!asked) return response;
    }
  }

  async function tokenRequest(params: Record<string, string>): Promise<Tokens> {
    const body = new URLSearchParams({ client_id: clientId, ...params, ...(resource ? { resource } : {}) });
    const response = await send((await discover()).token_endpoint, { method: 'POST', body });
    const tokens = await json<Tokens & { expires_in?: number }>(response);
    if (dpop && tokens.token_type?.toLowerCase() !== 'dpop') throw new LatchkeyError('dpop_not_bound', 'the server issued an unbound token');
    return { ...tokens, expires_at: now() + (tokens.expires_in ?? 300) };
  }

  function clear() {
    storage.removeItem(tokensKey);
    key = undefined;
  }

  const refresh = (seen: string) =>
    withLock(`latchkey:refresh:${clientId}`, async () => {
      // Another tab may have redeemed it while we waited: it recorded the result in IndexedDB,
      // which (unlike localStorage) every tab sees at once.
      const last = await readRecord<{ from: string; tokens: Tokens }>(refreshedKey);
      if (last?.from === seen) {
        save(last.tokens);
        return last.tokens.access_token;
      }
      const current = read();
      if (!current?.refresh_token || current.refresh_token !== seen) return current?.access_token ?? null;
      let next: Tokens;
      try {
        next = await tokenRequest({ grant_type: 'refresh_token', refresh_token: seen });
      } catch (error) {
        if ((error as LatchkeyError).code === 'invalid_grant') {
          clear();
          emit('signedOut', undefined);
        }
        throw error;
      }
      const sub = current.id_token ? decodeJwt(current.id_token).claims.sub : undefined;
      if (next.id_token) await validateIdToken(next.id_token, { issuer, clientId, keys, sub });
      const tokens = { ...next, refresh_token: next.refresh_token ?? seen, id_token: next.id_token ?? current.id_token };
      await writeRecord(refreshedKey, { from: seen, tokens });
      save(tokens);
      emit('tokenRefreshed', undefined);
      return next.access_token;
    });

  const getAccessToken = reported(async (force?: { forceRefresh?: boolean }): Promise<string | null> => {
    const tokens = read();
    if (!tokens) return null;
    if (!force?.forceRefresh && tokens.expires_at - EARLY_REFRESH_SECONDS > now()) return tokens.access_token;
    if (tokens.refresh_token) return refresh(tokens.refresh_token);
    if (tokens.expires_at > now()) return tokens.access_token;
    clear();
    emit('signedOut', undefined);
    return null;
  });

  return {
    /** Redirects to Latchkey's sign-in page (authorization code + PKCE S256, state, nonce, dpop_jkt). */
    signIn: reported(async ({ params = {}, returnTo }: SignInOptions = {}): Promise<void> => {
      const m = await discover();
      const transaction: Transaction = { state: random(), nonce: random(), verifier: random(), returnTo };
      const url = new URL(m.authorization_endpoint);
      const query: Record<string, string> = {
        client_id: clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: (options.scopes ?? ['openid', 'profile', 'email', 'offline_access']).join(' '),
        state: transaction.state,
        nonce: transaction.nonce,
        code_challenge: await pkceChallenge(transaction.verifier),
        code_challenge_method: 'S256',
        ...(resource ? { resource } : {}),
        ...(dpop ? { dpop_jkt: (await dpopKey(true)).jkt } : {}),
        ...params,
      };
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      sessionStorage.setItem(transactionKey, JSON.stringify(transaction));
      location.assign(url.href);
    }),

    /**
     * On the redirect URI: checks the response (state, iss), redeems the code,
     * validates the ID token and stores the tokens. Resolves null when the URL
     * is no sign-in response (call it on every page load).
     */
    handleRedirect: reported(async (href: string = location.href): Promise<{ user: Claims; returnTo?: string } | null> => {
      const url = new URL(href);
      const saved = sessionStorage.getItem(transactionKey);
      if (!url.searchParams.has('state') || !saved) return null;
      sessionStorage.removeItem(transactionKey); // one use, whatever the outcome
      const transaction: Transaction = JSON.parse(saved);
      history.replaceState(history.state, '', url.pathname + url.hash);
      const m = await discover();
      const code = checkAuthorizationResponse(url.searchParams, {
        state: transaction.state,
        issuer,
        issRequired: m.authorization_response_iss_parameter_supported === true,
      });
      const tokens = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: transaction.verifier });
      if (!tokens.id_token) throw new LatchkeyError('id_token_invalid', 'no ID token: ask for the openid scope');
      const user = await validateIdToken(tokens.id_token, { issuer, clientId, keys, nonce: transaction.nonce });
      key = undefined;
      save(tokens);
      emit('signedIn', user);
      return { user, returnTo: transaction.returnTo };
    }),

    /** A valid access token (refreshed when it is about to expire, one tab at a time), or null when signed out. */
    getAccessToken,

    /** fetch() with the access token: `Authorization: DPoP …` plus a proof bound to it (or Bearer without DPoP). */
    fetchWithAuth: reported(async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
      const token = await getAccessToken();
      if (!token) throw new LatchkeyError('signed_out', 'sign in first');
      const headers = new Headers(init.headers);
      headers.set('Authorization', `${dpop ? 'DPoP' : 'Bearer'} ${token}`);
      const url = new URL(input, location.href).href;
      return dpop ? send(url, { ...init, headers }, token) : fetch(url, { ...init, headers });
    }),

    /** The signed-in user's ID token claims, or null. */
    get user(): Claims | null {
      const idToken = read()?.id_token;
      return idToken ? decodeJwt(idToken).claims : null;
    },

    /**
     * Revokes the refresh token, forgets tokens and the DPoP key here, then
     * (unless `local`) ends the Latchkey session too (RP-initiated logout).
     */
    signOut: reported(async ({ local = false }: { local?: boolean } = {}): Promise<void> => {
      const tokens = read();
      const m = await discover();
      clear();
      await Promise.all([deleteRecord(refreshedKey), dpop && deleteRecord(clientId)]);
      if (tokens?.refresh_token && m.revocation_endpoint) {
        const body = new URLSearchParams({ client_id: clientId, token: tokens.refresh_token, token_type_hint: 'refresh_token' });
        await fetch(m.revocation_endpoint as string, { method: 'POST', body }).catch(() => undefined);
      }
      emit('signedOut', undefined);
      if (local || !m.end_session_endpoint) return;
      const url = new URL(m.end_session_endpoint as string);
      url.searchParams.set('client_id', clientId);
      if (tokens?.id_token) url.searchParams.set('id_token_hint', tokens.id_token);
      if (options.postLogoutRedirectUri) url.searchParams.set('post_logout_redirect_uri', options.postLogoutRedirectUri);
      location.assign(url.href);
    }),

    /** Subscribes to an event; returns the unsubscribe function. */
    on<E extends keyof LatchkeyEvents>(event: E, listener: (value: LatchkeyEvents[E]) => void): () => void {
      const set = (listeners[event] ??= new Set());
      set.add(listener);
      return () => void set.delete(listener);
    },
  };
}
