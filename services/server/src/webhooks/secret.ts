import { randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.ts';

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes (what the `standardwebhooks` package expects). */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export const sealSecret = (keyring: Keyring, secret: string): string => keyring.encrypt('webhook-secret', secret);

export const openSecret = (keyring: Keyring, sealed: string): string => keyring.decrypt('webhook-secret', sealed);

/** How long the secret before a rotation still signs deliveries (receivers accept either meanwhile). */
export const ROTATION_GRACE_SECONDS = 24 * 60 * 60;
