import express, { type RequestHandler } from 'express';
import { isStorableText, isStorableValue } from '../db/storable-text.ts';
import { HttpError } from './errors.ts';

/**
 * Turns away input no route can mean, before any route or oidc-provider sees
 * it: a URL with malformed percent-encoding (incl. overlong or invalid
 * UTF-8), and NUL anywhere in the URL (Postgres cannot store it). Each is a
 * 400, never a 500. A malformed Host is host-check.ts's to refuse.
 */

/** What is wrong with a request target, or undefined when nothing is. */
export function urlProblem(url: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    return 'the URL has malformed percent-encoding';
  }
  if (!isStorableText(decoded)) return 'the URL must not contain NUL characters';
  return undefined;
}

export const inputGuard: RequestHandler = (req, _res, next) => {
  const problem = urlProblem(req.url);
  if (problem) return next(new HttpError(400, 'invalid_request', problem));
  next();
};

/**
 * The hosted forms' bodies (/interaction/…, /signup…), parsed once here with
 * the routers' own settings (their parsers then see the body read) and
 * checked: a form POST must be a form, and no field may hold NUL or an
 * unpaired surrogate. oidc-provider's endpoints parse their own bodies; the
 * storage adapter guards those.
 */
const FORM = 'application/x-www-form-urlencoded';
const parseForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

export const formGuard: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST') return next();
  if (req.headers['content-type'] !== undefined && !req.is(FORM)) {
    return next(new HttpError(415, 'invalid_request', 'forms are sent as application/x-www-form-urlencoded'));
  }
  parseForm(req, res, (error?: unknown) => {
    if (error) return next(error);
    req.body ??= {};
    if (!isStorableValue(req.body)) return next(new HttpError(400, 'invalid_request', 'form fields must not contain NUL characters'));
    next();
  });
};
