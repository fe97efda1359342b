import type { Request, Response } from 'express';
import type { Config } from '../config/env.ts';
import type { SocialUpstream } from '../config/social.ts';
import { isStorableValue } from '../db/storable-text.ts';
import type { Logger } from '../http/logger.ts';
import type { Store } from '../store/index.ts';
import type { UpstreamIdentity } from './identity.ts';
import { runStrategy } from './run.ts';
import { newHandle, saveFlow, takeFlow, takeHandoff, type FlowRecord, type FlowStart } from './state.ts';
import { upstreamsFor, type SocialRequest } from './upstreams.ts';

type FlowDeps = { config: Config; store: Store; logger: Logger };

/**
 * One upstream round trip: start (state, nonce and PKCE saved, then a 303
 * to the upstream) and finish (the flow taken once from the store, checked
 * against who is finishing it, then the code exchanged by the strategy).
 */

/** Starts the round trip; false when the upstream cannot be reached (its discovery failed): the caller shows an error page. */
export async function startUpstream(deps: FlowDeps, req: Request, res: Response, upstream: SocialUpstream, start: FlowStart): Promise<boolean> {
  const registry = upstreamsFor(deps);
  let authenticator;
  try {
    authenticator = await registry.ready(upstream);
  } catch (error) {
    deps.logger.warn({ err: error, upstream: upstream.id }, 'social upstream discovery failed');
    return false;
  }
  const flow = { ...start, upstream: upstream.id, state: newHandle(), nonce: newHandle() };
  const request = req as SocialRequest;
  request.socialStart = flow;
  request.session = {};
  // Apple's strategy takes state and nonce as options (and has no PKCE); the others make their own verifier.
  if (upstream.kind === 'apple') await saveFlow(deps.store, flow);
  const options = upstream.kind === 'apple' ? { state: flow.state, nonce: flow.nonce } : upstream.kind === 'google' ? { nonce: flow.nonce } : {};
  const outcome = await runStrategy(authenticator, upstream.id, req, options);
  if (outcome.kind !== 'redirect') {
    deps.logger.warn({ err: outcome.kind === 'error' ? outcome.error : undefined, upstream: upstream.id }, 'social sign-in could not start');
    return false;
  }
  if (upstream.kind === 'oidc') {
    const verifier = request.session.upstream?.code_verifier;
    if (!verifier) return false;
    await saveFlow(deps.store, { ...flow, codeVerifier: verifier });
  }
  res.redirect(303, outcome.url);
  return true;
}

export type Finished =
  | { ok: true; identity: UpstreamIdentity; flow: FlowRecord }
  /** expired: no such flow (replayed, expired, another browser's or account's); denied: the person said no; upstream: the upstream failed. */
  | { ok: false; problem: 'expired' | 'denied' | 'upstream' };

/**
 * Finishes the round trip on the route where this browser's cookies bind it
 * (`belongs` checks the flow is this interaction's, or this console
 * account's). The flow is used up before anything else, so a callback
 * cannot be replayed, whatever its outcome.
 */
export async function finishUpstream(deps: FlowDeps, req: Request, upstream: SocialUpstream, belongs: (flow: FlowRecord) => boolean): Promise<Finished> {
  const registry = upstreamsFor(deps);
  const request = req as SocialRequest;
  let params = req.query as Record<string, unknown>;
  if (upstream.kind === 'apple') {
    const fields = await takeHandoff(deps.store, req.query.handoff);
    if (!fields) return { ok: false, problem: 'expired' };
    params = fields;
    request.body = fields;
  }
  const flow = await takeFlow(deps.store, params.state);
  if (!flow || flow.upstream !== upstream.id || !belongs(flow)) return { ok: false, problem: 'expired' };
  if (typeof params.error === 'string') {
    return { ok: false, problem: params.error === 'access_denied' || params.error === 'user_cancelled_authorize' ? 'denied' : 'upstream' };
  }
  if (typeof params.code !== 'string' || !params.code) return { ok: false, problem: 'upstream' };
  let authenticator;
  try {
    authenticator = await registry.ready(upstream);
  } catch (error) {
    deps.logger.warn({ err: error, upstream: upstream.id }, 'social upstream discovery failed');
    return { ok: false, problem: 'upstream' };
  }
  request.socialFlow = flow;
  request.session = { upstream: { code_verifier: flow.codeVerifier, nonce: flow.nonce, state: flow.state } };
  const outcome = await runStrategy(authenticator, upstream.id, req);
  if (outcome.kind === 'success' && isStorableValue(outcome.identity) && outcome.identity.subject) return { ok: true, identity: outcome.identity, flow };
  // The upstream's detail goes to the log only; the person gets a page.
  deps.logger.warn(
    { upstream: upstream.id, outcome: outcome.kind, reason: outcome.kind === 'fail' ? outcome.reason : undefined, err: outcome.kind === 'error' ? outcome.error : undefined },
    'social sign-in failed at the upstream',
  );
  return { ok: false, problem: 'upstream' };
}
