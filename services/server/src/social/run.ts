import type { Request, Response } from 'express';
import type passport from 'passport';
import type { UpstreamIdentity } from './identity.ts';
import { UPSTREAM_TIMEOUT_SECONDS } from './upstreams.ts';

export type StrategyOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'success'; identity: UpstreamIdentity }
  /** The person said no at the upstream, or the answer did not match the flow (state, nonce). */
  | { kind: 'fail'; reason: string }
  /** The upstream misbehaved: token endpoint down or refusing, a bad ID token, a profile that would not parse. */
  | { kind: 'error'; error: unknown };

/**
 * passport.authenticate(name, { session: false }) with a callback, as a
 * promise. The strategy's redirect is captured rather than sent (the caller
 * saves the flow first and answers with a 303 itself); a strategy that
 * never answers (an upstream that hangs) ends as an error.
 */
export function runStrategy(authenticator: passport.Authenticator, name: string, req: Request, options: Record<string, unknown> = {}): Promise<StrategyOutcome> {
  return new Promise<StrategyOutcome>((resolve) => {
    let location = '';
    const timer = setTimeout(() => resolve({ kind: 'error', error: new Error(`${name} did not answer in time`) }), (UPSTREAM_TIMEOUT_SECONDS + 5) * 1000);
    const settle = (outcome: StrategyOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    // Only what passport's redirect touches: the real response is the caller's to send.
    const capture = {
      statusCode: 200,
      setHeader(header: string, value: string) {
        if (header.toLowerCase() === 'location') location = value;
      },
      end() {
        settle(location ? { kind: 'redirect', url: location } : { kind: 'error', error: new Error(`${name} redirected nowhere`) });
      },
    } as unknown as Response;
    const middleware = authenticator.authenticate(name, { session: false, ...options }, (error: unknown, user: UpstreamIdentity | false, info: unknown) => {
      if (error) return settle({ kind: 'error', error });
      if (user) return settle({ kind: 'success', identity: user });
      const message = (info as { message?: unknown } | undefined)?.message;
      settle({ kind: 'fail', reason: typeof message === 'string' ? message.slice(0, 200) : 'refused' });
    });
    try {
      middleware(req, capture, (error?: unknown) => settle({ kind: 'error', error: error ?? new Error(`${name} passed without deciding`) }));
    } catch (error) {
      settle({ kind: 'error', error });
    }
  });
}
