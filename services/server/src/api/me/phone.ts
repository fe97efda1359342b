import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { confirmPhone, getPhoneStatus, removePhone, startPhoneVerification, type PhoneDeps, type PhoneStatus } from '../../phone/manage.ts';
import { enabledMethods } from '../../interactions/methods.ts';
import type { ApiDeps } from '../deps.ts';
import { accountActor, accountCall } from './account-call.ts';

const s = initServer();

const phoneView = (status: PhoneStatus) => ({ phone: status.phone, verified: status.verified, verified_at: status.verified_at?.toISOString() ?? null });

/** /api/v1/me/phone: the same services as the console's phone section (src/phone/manage.ts). */
export function mePhone(deps: ApiDeps) {
  const phoneDeps: PhoneDeps = { ...deps, methods: enabledMethods(deps.config) };
  return s.router(contract.me.phone, {
    get: async ({ req, res }) => ({ status: 200, body: phoneView(await getPhoneStatus(phoneDeps, accountActor(req, res).userId)) }),
    start: async ({ body, req, res }) => {
      const started = await accountCall(() => startPhoneVerification(phoneDeps, accountActor(req, res), body.phone));
      return { status: 202, body: { phone: started.phone, expires_at: started.expires_at.toISOString() } };
    },
    verify: async ({ body, req, res }) => {
      const status = await accountCall(() => confirmPhone(phoneDeps, accountActor(req, res), { phone: body.phone, code: body.code, via: 'api' }));
      return { status: 200, body: phoneView(status) };
    },
    remove: async ({ req, res }) => ({ status: 200, body: phoneView(await removePhone(phoneDeps, accountActor(req, res))) }),
  });
}
