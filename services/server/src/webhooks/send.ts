import { OutboundRefused, outboundFetch } from '../http/outbound.ts';

/** What one HTTP attempt came to. `status` is null when no response arrived. */
export type SendResult = { status: number | null; ok: boolean; error: string | null; retryAfterSeconds?: number };

// Enough of a receiver's answer to diagnose a failure; the rest is never stored.
const EXCERPT_BYTES = 256;
// Receivers answer briefly; a longer answer is cut off and counts as a failure.
const MAX_ANSWER_BYTES = 64 * 1024;

const excerpt = async (response: Response): Promise<string> =>
  Buffer.from(await response.arrayBuffer()).subarray(0, EXCERPT_BYTES).toString('utf8').replace(/[\u0000-\u001f]+/g, ' ').trim();

const retryAfter = (response: Response): number | undefined => {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
};

/**
 * POSTs one signed delivery through outboundFetch (an operator registered
 * the URL, so it may be private). Redirects are not followed (a 3xx is an
 * answer like any other), the whole exchange is bounded by `timeoutMs`, and
 * only a short excerpt of a failing answer is kept.
 */
export async function sendDelivery(input: { url: string; body: string; headers: Record<string, string>; timeoutMs: number }): Promise<SendResult> {
  try {
    const response = await outboundFetch(input.url, {
      purpose: 'webhook',
      trust: 'operator',
      method: 'POST',
      timeoutMs: input.timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
      headers: { 'content-type': 'application/json', 'user-agent': 'Latchkey-Webhooks/1', ...input.headers },
      body: input.body,
    });
    const ok = response.status >= 200 && response.status < 300;
    const text = ok ? '' : await excerpt(response).catch(() => '');
    return { status: response.status, ok, error: ok ? null : `HTTP ${response.status}${text ? `: ${text}` : ''}`, retryAfterSeconds: retryAfter(response) };
  } catch (error) {
    if (!(error instanceof OutboundRefused)) throw error;
    if (error.reason === 'redirect') return { status: error.status!, ok: false, error: `HTTP ${error.status} (redirects are not followed)` };
    const reason = error.reason === 'too slow' ? `timed out after ${input.timeoutMs} ms` : error.message.replace(/^webhook: /, '');
    return { status: error.status ?? null, ok: false, error: reason.slice(0, 200) };
  }
}
