/** What one HTTP attempt came to. `status` is null when no response arrived. */
export type SendResult = { status: number | null; ok: boolean; error: string | null; retryAfterSeconds?: number };

// Enough of a receiver's answer to diagnose a failure; the rest is never read or stored.
const EXCERPT_BYTES = 256;

async function excerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8').replace(/[\u0000-\u001f]+/g, ' ').trim();
}

const retryAfter = (response: Response): number | undefined => {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
};

/**
 * POSTs one signed delivery. Redirects are not followed (a 3xx is an
 * answer like any other), the whole exchange is bounded by `timeoutMs`, and
 * only a short excerpt of a failing answer is kept.
 */
export async function sendDelivery(input: { url: string; body: string; headers: Record<string, string>; timeoutMs: number }): Promise<SendResult> {
  try {
    const response = await fetch(input.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(input.timeoutMs),
      headers: { 'content-type': 'application/json', 'user-agent': 'Latchkey-Webhooks/1', ...input.headers },
      body: input.body,
    });
    const ok = response.status >= 200 && response.status < 300;
    const text = ok ? (await response.body?.cancel().catch(() => {}), '') : await excerpt(response).catch(() => '');
    return { status: response.status, ok, error: ok ? null : `HTTP ${response.status}${text ? `: ${text}` : ''}`, retryAfterSeconds: retryAfter(response) };
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    const reason = e.name === 'TimeoutError' ? `timed out after ${input.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message ?? 'request failed');
    return { status: null, ok: false, error: reason.slice(0, 200) };
  }
}
