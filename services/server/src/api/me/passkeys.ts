import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { enabledMethods } from '../../interactions/methods.ts';
import { listPasskeys, removePasskey, renamePasskey, type Passkey } from '../../passkeys/manage.ts';
import type { ApiDeps } from '../deps.ts';
import { accountActor, accountCall } from './account-call.ts';

const s = initServer();

const body = (passkey: Passkey) => ({ ...passkey, created_at: passkey.created_at.toISOString(), last_used_at: passkey.last_used_at?.toISOString() ?? null });

/**
 * /api/v1/me/passkeys (src/passkeys/manage.ts, shared with the console).
 * Adding one is a WebAuthn ceremony in the browser (the console); removing
 * one needs a recent two-step sign-in, which no access token or personal API
 * token shows, so the API refuses it for a passkey the caller holds.
 */
export function mePasskeys(deps: ApiDeps) {
  const methods = enabledMethods(deps.config);
  return s.router(contract.me.passkeys, {
    list: async ({ req, res }) => {
      const items = await listPasskeys(deps, accountActor(req, res).userId);
      return { status: 200, body: { items: items.map(body) } };
    },
    rename: async ({ params, body: input, req, res }) => {
      const passkey = await accountCall(() => renamePasskey(deps, accountActor(req, res), params.id, input.name));
      return { status: 200, body: body(passkey) };
    },
    remove: async ({ params, req, res }) => {
      await accountCall(() => removePasskey({ ...deps, methods }, accountActor(req, res), params.id, { recentSecondFactor: false }), 'params');
      return { status: 204, body: undefined };
    },
  });
}
