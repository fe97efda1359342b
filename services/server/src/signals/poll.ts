import type { Knex } from 'knex';
import { findOwnStream } from '../db/ssf-streams.ts';
import { acknowledgeSets, pendingSets, rejectSets } from '../db/ssf-outbox.ts';
import type { Store } from '../store/index.ts';
import { POLL } from './events.ts';
import { signSet, type SetContext } from './set.ts';
import { StreamError } from './streams.ts';
import { onWake } from './wake.ts';

/**
 * Poll delivery (RFC 8936). Events stay in the outbox until the receiver
 * acknowledges them, so an unacknowledged event comes again on the next
 * poll. A long poll (returnImmediately false) is held until an event for
 * its stream is enqueued on any replica (the `ssf:events` message) or
 * LONG_POLL_MS pass.
 */

export const LONG_POLL_MS = 25_000;
const MAX_EVENTS = 100;
const DEFAULT_MAX_EVENTS = 25;

export type PollDeps = SetContext & { knex: Knex; store: Store };

/** Held long polls by stream; one store subscription per process serves them all. */
export class PollWaiters {
  readonly #waiting = new Map<string, Set<() => void>>();
  #subscribed: Promise<unknown> | undefined;
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  #subscribe() {
    this.#subscribed ??= onWake(this.#store, (streamIds) => {
      for (const id of streamIds) for (const wake of this.#waiting.get(id) ?? []) wake();
    }).catch(() => {
      this.#subscribed = undefined;
    });
    return this.#subscribed;
  }

  /** Resolves when an event for `streamId` is enqueued, after `ms`, or when `signal` aborts. */
  async wait(streamId: string, ms: number, signal: AbortSignal): Promise<void> {
    await this.#subscribe();
    await new Promise<void>((resolve) => {
      const set = this.#waiting.get(streamId) ?? new Set();
      this.#waiting.set(streamId, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) this.#waiting.delete(streamId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      set.add(done);
    });
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const invalid = (description: string) => new StreamError(400, 'invalid_request', description);

type PollRequest = { maxEvents: number; returnImmediately: boolean; ack: string[]; setErrs: Record<string, string> };

function parsePoll(body: unknown): PollRequest {
  if (body === undefined || (isObject(body) && Object.keys(body).length === 0)) return { maxEvents: DEFAULT_MAX_EVENTS, returnImmediately: false, ack: [], setErrs: {} };
  if (!isObject(body)) throw invalid('the body must be a JSON object');
  const { maxEvents = DEFAULT_MAX_EVENTS, returnImmediately = false, ack = [], setErrs = {} } = body;
  if (typeof maxEvents !== 'number' || !Number.isInteger(maxEvents) || maxEvents < 0) throw invalid('maxEvents must be a non-negative integer');
  if (typeof returnImmediately !== 'boolean') throw invalid('returnImmediately must be a boolean');
  if (!Array.isArray(ack) || ack.length > 1000 || ack.some((jti) => typeof jti !== 'string')) throw invalid('ack must be an array of jti strings');
  if (!isObject(setErrs)) throw invalid('setErrs must be an object');
  const errors: Record<string, string> = {};
  for (const [jti, value] of Object.entries(setErrs)) {
    const description = isObject(value) ? `${String(value.err ?? 'error')}: ${String(value.description ?? '')}` : String(value);
    errors[jti] = description;
  }
  return { maxEvents: Math.min(maxEvents, MAX_EVENTS), returnImmediately, ack: ack as string[], setErrs: errors };
}

export async function poll(
  deps: PollDeps,
  waiters: PollWaiters,
  clientId: string,
  streamId: string,
  body: unknown,
  signal: AbortSignal,
  longPollMs = LONG_POLL_MS,
): Promise<{ sets: Record<string, string>; moreAvailable: boolean }> {
  const request = parsePoll(body);
  const stream = await findOwnStream(deps.knex, clientId, streamId);
  if (!stream) throw new StreamError(404, 'not_found', 'no such stream');
  if (stream.delivery_method !== POLL) throw invalid('this stream delivers by push; poll only poll streams');
  await acknowledgeSets(deps.knex, streamId, request.ack);
  if (Object.keys(request.setErrs).length) await rejectSets(deps.knex, streamId, request.setErrs);
  if (request.maxEvents === 0) return { sets: {}, moreAvailable: false };
  const deadline = Date.now() + longPollMs;
  for (;;) {
    // Listening before looking: an event enqueued between the look and the wait still wakes us.
    const wake = request.returnImmediately || stream.status !== 'enabled' ? undefined : new AbortController();
    const woken = wake ? waiters.wait(streamId, Math.max(0, deadline - Date.now()), AbortSignal.any([signal, wake.signal])) : undefined;
    const found = stream.status === 'enabled' ? await pendingSets(deps.knex, streamId, request.maxEvents) : { sets: [], more: false };
    if (found.sets.length || !woken || signal.aborted || Date.now() >= deadline) {
      wake?.abort();
      const sets: Record<string, string> = {};
      for (const row of found.sets) sets[row.jti] = await signSet(deps, row);
      return { sets, moreAvailable: found.more };
    }
    await woken;
  }
}
