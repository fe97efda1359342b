import { initContract } from '@ts-rest/core';
import { accountApiTokensContract } from './api-tokens.ts';
import { connectedAppsContract } from './apps.ts';
import { emailChangeContract } from './email.ts';
import { linkedIdentitiesContract } from './identities.ts';
import { passkeysContract } from './passkeys.ts';
import { passwordContract } from './password.ts';
import { phoneContract } from './phone.ts';
import { profileContract } from './profile.ts';
import { accountSessionsContract } from './sessions.ts';
import { twoStepContract } from './two-step.ts';

const c = initContract();

/** Account routes of the signed-in user, under /api/v1/me. Add a resource with one line. */
export const meContract = c.router(
  {
    apiTokens: accountApiTokensContract,
    profile: profileContract,
    email: emailChangeContract,
    identities: linkedIdentitiesContract,
    passkeys: passkeysContract,
    password: passwordContract,
    phone: phoneContract,
    sessions: accountSessionsContract,
    twoStep: twoStepContract,
    apps: connectedAppsContract,
  },
  { pathPrefix: '/me' },
);
