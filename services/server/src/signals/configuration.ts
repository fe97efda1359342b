import { Router } from 'express';
import { POLL, PUSH } from './events.ts';

/** The transmitter's configuration metadata (SSF 1.0 §7.1); every URL from the configured issuer. */
export function ssfConfiguration(issuer: string) {
  return {
    spec_version: '1_0',
    issuer,
    jwks_uri: `${issuer}/jwks`,
    delivery_methods_supported: [PUSH, POLL],
    configuration_endpoint: `${issuer}/ssf/streams`,
    status_endpoint: `${issuer}/ssf/status`,
    add_subject_endpoint: `${issuer}/ssf/subjects:add`,
    remove_subject_endpoint: `${issuer}/ssf/subjects:remove`,
    verification_endpoint: `${issuer}/ssf/verify`,
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
    default_subjects: 'ALL',
  };
}

export function configurationRoute(issuer: string): Router {
  const body = JSON.stringify(ssfConfiguration(issuer));
  const router = Router();
  router.get('/.well-known/ssf-configuration', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').type('application/json').send(body);
  });
  return router;
}
