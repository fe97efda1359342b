import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { getProfile, updateProfile, type Profile } from '../../account/profile.ts';
import type { ApiDeps } from '../deps.ts';
import { etagOf, requireIfMatch } from '../etag.ts';
import { accountActor, accountCall } from './account-call.ts';

const s = initServer();

/** The profile as the API shows it (the version travels as the ETag). */
export const profileView = ({ version: _version, ...profile }: Profile) => ({
  ...profile,
  created_at: profile.created_at.toISOString(),
  updated_at: profile.updated_at.toISOString(),
});

/** /api/v1/me: the caller's profile (src/account/profile.ts, shared with the console). PATCH needs If-Match. */
export function meProfile(deps: ApiDeps) {
  return s.router(contract.me.profile, {
    get: async ({ req, res }) => {
      const profile = await accountCall(() => getProfile(deps, accountActor(req, res).userId));
      res.setHeader('ETag', etagOf(profile.version));
      return { status: 200, body: profileView(profile) };
    },
    update: async ({ headers, body, req, res }) => {
      const expectedVersion = requireIfMatch(headers['if-match']);
      const profile = await accountCall(() => updateProfile(deps, accountActor(req, res), body, { expectedVersion }));
      res.setHeader('ETag', etagOf(profile.version));
      return { status: 200, body: profileView(profile) };
    },
  });
}
