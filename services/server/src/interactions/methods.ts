import type { Config } from '../config/env.ts';
import { emailCodeMethod } from '../email-code/method.ts';
import { passkeyMethod } from '../passkeys/method.ts';
import { passwordMethod } from '../password/method.ts';
import { phoneMethod } from '../phone/method.ts';
import { socialMethod } from '../social/method.ts';
import { totpMethod } from '../totp/method.ts';
import type { SignInMethod } from './method.ts';

/**
 * Every sign-in method, in the order the sign-in page shows them. A new
 * method is its own folder (method.ts, routes, views, console section) and
 * one line here.
 */
const ALL_METHODS: readonly SignInMethod[] = [passwordMethod, emailCodeMethod, passkeyMethod, socialMethod, totpMethod, phoneMethod];

export const enabledMethods = (config: Config): readonly SignInMethod[] => ALL_METHODS.filter((method) => method.enabled(config));
