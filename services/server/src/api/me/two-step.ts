import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { turnOffTotpWithCode, twoStepStatus, type TwoStepStatus } from '../../totp/two-step.ts';
import type { ApiDeps } from '../deps.ts';
import { accountActor, accountCall } from './account-call.ts';

const s = initServer();

const view = (status: TwoStepStatus) => ({ totp_enabled: status.totpEnabled, recovery_codes_left: status.recoveryCodesLeft });

/**
 * /api/v1/me/two-step (src/totp/two-step.ts, as the console's section uses).
 * Turning the app off is proven by a code in the request: the console asks
 * for a recent two-factor sign-in instead, which a bearer token cannot show.
 */
export function meTwoStep(deps: ApiDeps) {
  return s.router(contract.me.twoStep, {
    get: async ({ req, res }) => ({ status: 200, body: view(await twoStepStatus(deps, accountActor(req, res).userId)) }),
    turnOffTotp: async ({ body, req, res }) => {
      const actor = accountActor(req, res);
      await accountCall(() => turnOffTotpWithCode(deps, actor, body.code));
      return { status: 200, body: view(await twoStepStatus(deps, actor.userId)) };
    },
  });
}
