import { Router, type Request, type Response } from 'express';
import { getProfile, updateProfile, PROFILE_FIELDS, type Profile, type ProfileField } from '../../account/profile.ts';
import { t, type MessageId } from '../../interactions/i18n/index.ts';
import { html } from '../../interactions/views/html.ts';
import { csrfInput, field } from '../../interactions/views/layout.ts';
import { actorOf, fieldOf, formFailure, type FormFailure } from '../actions.ts';
import type { ConsoleDeps } from '../deps.ts';
import { signedIn } from '../guard.ts';
import { doneNotice, sendConsolePage } from '../views.ts';

const LABELS: Record<ProfileField, MessageId> = {
  username: 'console.profile.username',
  display_name: 'console.profile.display_name',
  first_name: 'console.profile.first_name',
  last_name: 'console.profile.last_name',
};

const AUTOCOMPLETE: Record<ProfileField, string> = { username: 'username', display_name: 'nickname', first_name: 'given-name', last_name: 'family-name' };

/** Name fields (account/profile.ts decides which exist and what they may hold); saved only if nobody changed them meanwhile. */
export function profileSection(deps: ConsoleDeps): Router {
  const router = Router();

  const render = (req: Request, res: Response, profile: Profile, values: Partial<Record<ProfileField, string>>, failure?: FormFailure) => {
    const body = html`<p class="lead">${t('console.profile.lead', { email: profile.email ?? '—' })}</p>
<form method="post" action="/account/profile" novalidate>
${csrfInput(deps.csrf.token(req, res))}
<input type="hidden" name="version" value="${profile.version}">
${PROFILE_FIELDS.map((name) =>
  field({ name, label: t(LABELS[name]), value: values[name] ?? profile[name] ?? '', autocomplete: AUTOCOMPLETE[name], required: false, error: failure?.errors[name] }),
)}
<button type="submit" class="primary">${t('console.action.save')}</button>
</form>`;
    sendConsolePage(deps, req, res, {
      section: '/account',
      body,
      notice: doneNotice(req, { saved: 'console.saved' }),
      errors: failure?.errors,
      formError: failure?.formError,
      status: failure?.status,
    });
  };

  router.get('/account', async (req, res, next) => {
    try {
      render(req, res, await getProfile(deps, signedIn(res).userId), {});
    } catch (error) {
      next(error);
    }
  });

  router.post('/account/profile', async (req, res, next) => {
    const values = Object.fromEntries(PROFILE_FIELDS.map((name) => [name, fieldOf(req, name)])) as Record<ProfileField, string>;
    try {
      await updateProfile(deps, actorOf(req, res), values, { expectedVersion: fieldOf(req, 'version') || undefined });
      res.redirect(303, '/account?done=saved');
    } catch (error) {
      try {
        const failure = formFailure(error, PROFILE_FIELDS);
        const profile = await getProfile(deps, signedIn(res).userId);
        // Changed elsewhere: show what is stored now, so nothing is overwritten unseen.
        if (failure.status === 412) return render(req, res, profile, {}, { ...failure, formError: t('console.stale') });
        render(req, res, profile, values, failure);
      } catch (inner) {
        next(inner);
      }
    }
  });
  return router;
}
