import type { Request, RequestHandler, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { LatchkeyError } from './errors.ts';
import { SetError } from './set-validation.ts';

const MAX_BYTES = 64 * 1024;

/** The raw SET: a body an earlier parser already read as text, else the request stream (at most 64 KiB). */
async function readBody(req: Request): Promise<string> {
  if (typeof req.body === 'string') return req.body;
  if (Buffer.isBuffer(req.body)) return req.body.toString('utf8');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BYTES) throw new SetError('invalid_request', 'the SET is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The RFC 8935 push endpoint: one SET per POST as `application/secevent+jwt`,
 * 202 once it is validated and applied, 400 `{err, description}` when it is
 * refused (the transmitter does not retry those), 401 without the stream's
 * authorization header, 503 when the issuer's keys cannot be fetched (it
 * retries).
 */
export function pushHandler(authorization: string | undefined, receive: (set: string) => Promise<void>): RequestHandler {
  return (req: Request, res: Response) => {
    const answerError = (status: number, err: string, description: string) => res.status(status).json({ err, description });
    if (req.method !== 'POST') return void res.status(405).set('allow', 'POST').end();
    if (authorization !== undefined && !same(req.get('authorization') ?? '', authorization)) {
      return void answerError(401, 'authentication_failed', 'the authorization header is missing or wrong');
    }
    if (!/^application\/secevent\+jwt\s*(;|$)/i.test(req.get('content-type') ?? '')) {
      return void answerError(400, 'invalid_request', 'the content type must be application/secevent+jwt');
    }
    readBody(req)
      .then(receive)
      .then(
        () => res.status(202).end(),
        (error: unknown) => {
          if (error instanceof SetError) return answerError(400, error.err, error.message);
          if (error instanceof LatchkeyError && error.status >= 500) return res.status(503).set('retry-after', '5').end();
          return answerError(400, 'invalid_request', 'the SET could not be processed');
        },
      );
  };
}
