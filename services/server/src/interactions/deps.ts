import type { Config } from '../config/env.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Db } from '../db/knex.ts';
import type { Logger } from '../http/logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Metrics } from '../metrics/index.ts';
import type { SmsSender } from '../phone/sms.ts';
import type { ProviderHolder } from '../oidc/provider.ts';
import type { Limiter } from '../ratelimit/index.ts';
import type { Store } from '../store/index.ts';
import type { Csrf } from './csrf.ts';
import type { SignInMethod } from './method.ts';

/** What every hosted-page handler may use. Built once in app.ts. */
export type InteractionDeps = {
  config: Config;
  db: Db;
  store: Store;
  keyring: Keyring;
  providers: ProviderHolder;
  logger: Logger;
  csrf: Csrf;
  mailer: Mailer;
  /** Texts (phone/sms.ts); undefined in production without SMS_URL. */
  sms: SmsSender | undefined;
  /** Named rate limits (src/ratelimit): consume() for requests, check()/fail()/succeed() for answers. */
  limiter: Limiter;
  /** Sign-ins are counted by method and outcome (absent in tests that build deps by hand). */
  metrics?: Metrics;
  /** The enabled sign-in methods, in page order (methods.ts). */
  methods: readonly SignInMethod[];
};
