import { createHash, randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { decodeJwt } from 'jose';
import { HttpError } from '../http/errors.ts';
import { readCookie } from '../interactions/csrf.ts';
import {
  ACCOUNT_CONSOLE_CLIENT_ID,
  ACCOUNT_CONSOLE_SCOPE,
  accountConsolePostLogoutUri,
  accountConsoleRedirectUri,
  accountConsoleSecret,
  accountConsoleTokenOwner,
  ensureAccountConsoleClientRow,
} from '../oidc/console-client.ts';
import type { ConsoleDeps } from './deps.ts';
import { endConsoleSession, startConsoleSession } from './session.ts';
import { isConsolePath } from './paths.ts';
import { redeemCode } from './token-exchange.ts';

/**
 * The console as a relying party of its own issuer: authorization code with
 * PKCE, state and nonce. The verifier, nonce and where to return live in the
 * store under the state, tied to this browser by a random cookie (so a sign-in
 * started in one browser cannot be finished in another: no login CSRF).
 */
const FLOW_TTL_SECONDS = 10 * 60;

type Flow = { verifier: string; nonce: string; returnTo: string; browser: string };

const flowKey = (state: string) => `console:auth:${state}`;
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');
const browserCookie = (secure: boolean) => (secure ? '__Host-lk_console_auth' : 'lk_console_auth');

export function signInRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  const issuer = deps.config.issuer.replace(/\/$/, '');

  router.get('/account/login', async (req, res, next) => {
    try {
      await startSignIn(deps, req, res, typeof req.query.return === 'string' ? req.query.return : '/account');
    } catch (error) {
      next(error);
    }
  });

  router.get('/account/callback', async (req, res, next) => {
    try {
      const state = typeof req.query.state === 'string' ? req.query.state : '';
      const stored = /^[\w-]{43}$/.test(state) ? await deps.store.get(flowKey(state)) : undefined;
      const flow = stored ? (JSON.parse(stored) as Flow) : undefined;
      const browser = readCookie(req, browserCookie(deps.secure));
      if (!flow || !browser || digest(browser) !== flow.browser) {
        throw new HttpError(400, 'invalid_state', 'this sign-in has expired or was started in another browser; open the account page again');
      }
      await deps.store.del(flowKey(state));
      if (typeof req.query.error === 'string') {
        throw new HttpError(400, 'sign_in_failed', 'the sign-in was not completed; open the account page again');
      }
      const code = typeof req.query.code === 'string' ? req.query.code : '';
      if (!code) throw new HttpError(400, 'invalid_request', 'the sign-in answer carries no code');

      const tokens = await redeemCode(req, issuer, {
        code,
        code_verifier: flow.verifier,
        redirect_uri: accountConsoleRedirectUri(issuer),
        client_id: ACCOUNT_CONSOLE_CLIENT_ID,
        client_secret: accountConsoleSecret(deps.keyring),
      });
      // The ID token came straight from our own token endpoint over a direct
      // connection (OIDC Core 3.1.3.7: no signature check needed); its claims still must match.
      const claims = decodeJwt(tokens.id_token);
      const owner = await accountConsoleTokenOwner(deps.providers.current, tokens.access_token);
      const audience = [claims.aud ?? []].flat();
      if (!owner || claims.iss !== deps.config.issuer || !audience.includes(ACCOUNT_CONSOLE_CLIENT_ID) || claims.nonce !== flow.nonce || claims.sub !== owner.accountId) {
        throw new HttpError(400, 'sign_in_failed', 'the sign-in answer did not match this request; open the account page again');
      }
      await startConsoleSession(deps, res, {
        userId: owner.accountId,
        sessionUid: owner.sessionUid,
        authTime: typeof claims.auth_time === 'number' ? claims.auth_time : 0,
        amr: Array.isArray(claims.amr) ? claims.amr.filter((value): value is string => typeof value === 'string') : [],
      });
      res.redirect(303, flow.returnTo);
    } catch (error) {
      next(error);
    }
  });

  // Signing out of the console is RP-initiated logout: it ends the browser session too.
  router.post('/account/logout', async (req, res, next) => {
    try {
      await endConsoleSession(deps, req, res);
      const url = new URL(`${issuer}/session/end`);
      url.searchParams.set('client_id', ACCOUNT_CONSOLE_CLIENT_ID);
      url.searchParams.set('post_logout_redirect_uri', accountConsolePostLogoutUri(issuer));
      res.redirect(303, url.pathname + url.search);
    } catch (error) {
      next(error);
    }
  });
  return router;
}

/**
 * Redirects to the authorization endpoint; `returnTo` is where the console
 * goes afterwards (console paths only). `stepUp` asks for a fresh sign-in
 * with two factors (max_age=0, acr_values=aal2), before a factor is changed.
 */
export async function startSignIn(deps: ConsoleDeps, req: Request, res: Response, returnTo: string, options: { stepUp?: boolean } = {}): Promise<void> {
  const issuer = deps.config.issuer.replace(/\/$/, '');
  // One binding cookie per browser, reused, so two tabs signing in at once both finish.
  let browser = readCookie(req, browserCookie(deps.secure));
  if (!browser || !/^[\w-]{43}$/.test(browser)) {
    browser = randomBytes(32).toString('base64url');
    res.cookie(browserCookie(deps.secure), browser, { httpOnly: true, sameSite: 'lax', secure: deps.secure, path: '/' });
  }
  const state = randomBytes(32).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const flow: Flow = { verifier, nonce, returnTo: isConsolePath(deps.sections, returnTo) ? returnTo : '/account', browser: digest(browser) };
  await deps.store.set(flowKey(state), JSON.stringify(flow), FLOW_TTL_SECONDS);
  await ensureAccountConsoleClientRow(deps.db.knex, issuer, deps.keyring);
  const url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: ACCOUNT_CONSOLE_CLIENT_ID,
    response_type: 'code',
    scope: ACCOUNT_CONSOLE_SCOPE,
    redirect_uri: accountConsoleRedirectUri(issuer),
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.stepUp ? { max_age: '0', acr_values: 'aal2' } : {}),
  }).toString();
  res.redirect(303, url.pathname + url.search);
}
