import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { series } from './series.ts';

/** Serves one GET through `series(...handlers)`, then a route answering 200 and an error handler answering 500 with the message. */
async function serve(...handlers: RequestHandler[]) {
  const app = express();
  app.use(series(...handlers));
  app.get('/', (_req, res) => {
    res.status(200).send('route');
  });
  const onError: ErrorRequestHandler = (error: Error, _req, res, _next) => {
    res.status(500).send(`error: ${error.message}`);
  };
  app.use(onError);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return { status: response.status, body: await response.text(), trail: response.headers.get('x-trail') };
  } finally {
    server.close();
  }
}

const mark =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.setHeader('x-trail', `${String(res.getHeader('x-trail') ?? '')}${name}`);
    next();
  };

describe('series of middlewares', () => {
  it('runs each in order, then the routes after it', async () => {
    expect(await serve(mark('a'), mark('b'), mark('c'))).toEqual({ status: 200, body: 'route', trail: 'abc' });
    expect(await serve()).toEqual({ status: 200, body: 'route', trail: null });
  });

  it('stops at an answer', async () => {
    const answer: RequestHandler = (_req, res) => {
      res.status(204).end();
    };
    expect(await serve(mark('a'), answer, mark('c'))).toMatchObject({ status: 204, trail: 'a' });
  });

  it('hands an error passed to next, thrown or rejected to the error handler and skips the rest', async () => {
    const passed: RequestHandler = (_req, _res, next) => next(new Error('passed'));
    const thrown: RequestHandler = () => {
      throw new Error('thrown');
    };
    const rejected: RequestHandler = async () => {
      throw new Error('rejected');
    };
    expect(await serve(mark('a'), passed, mark('c'))).toEqual({ status: 500, body: 'error: passed', trail: 'a' });
    expect(await serve(mark('a'), thrown, mark('c'))).toEqual({ status: 500, body: 'error: thrown', trail: 'a' });
    expect(await serve(mark('a'), rejected, mark('c'))).toEqual({ status: 500, body: 'error: rejected', trail: 'a' });
  });
});
