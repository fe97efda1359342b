import { createPrivateKey } from 'node:crypto';

/**
 * Social / upstream sign-in: GitHub, Google, Apple and any number of generic
 * OpenID Connect upstreams (LATCHKEY_OIDC_<NAME>_*), parsed from the
 * environment loadConfig hands in. An upstream is on when its client id is
 * set; a half-configured one is a problem naming the missing variable.
 * Values are never echoed (secrets, private keys).
 */

type Common = { id: string; label: string; clientId: string };

export type SocialUpstream = Readonly<
  | (Common & { kind: 'github'; clientSecret: string; /** GitHub Enterprise Server's base URL; unset: github.com. */ baseUrl: string | undefined })
  | (Common & { kind: 'google'; clientSecret: string })
  | (Common & { kind: 'apple'; teamId: string; keyId: string; /** PKCS#8 PEM of the ES256 key that signs the client secret. */ privateKey: string })
  | (Common & { kind: 'oidc'; issuer: string; clientSecret: string })
>;

const BUILT_IN = ['github', 'google', 'apple'];
const OIDC_VARIABLE = /^LATCHKEY_OIDC_(.+?)_(ISSUER|CLIENT_ID|CLIENT_SECRET|LABEL)$/;
const APPLE_ID = /^[A-Z0-9]{10}$/;

const value = (source: NodeJS.ProcessEnv, name: string): string | undefined => {
  const raw = source[name]?.trim();
  return raw ? raw : undefined;
};

function httpUrlProblem(raw: string, production: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (production && url.protocol !== 'https:') return 'must be an https:// URL when NODE_ENV=production';
  if (url.search || url.hash) return 'must not carry a query or fragment';
  return undefined;
}

/** Apple's .p8 key: an EC P-256 private key in PEM ("\n" escapes accepted, as env files often hold one line). */
function applePrivateKey(raw: string): string | undefined {
  const pem = raw.replace(/\\n/g, '\n');
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
    return pem;
  } catch {
    return undefined;
  }
}

/** Whether a set of variables is all there, or all absent: else the first missing one is named. */
function requireTogether(source: NodeJS.ProcessEnv, names: readonly string[], problems: string[]): boolean {
  const present = names.filter((name) => value(source, name) !== undefined);
  if (present.length === 0) return false;
  for (const name of names) if (!present.includes(name)) problems.push(`${name} is required when ${present[0]} is set`);
  return present.length === names.length;
}

export function parseSocialUpstreams(source: NodeJS.ProcessEnv, production: boolean): { upstreams: SocialUpstream[]; problems: string[] } {
  const problems: string[] = [];
  const upstreams: SocialUpstream[] = [];
  const get = (name: string) => value(source, name)!;

  const githubUrl = value(source, 'LATCHKEY_GITHUB_URL');
  if (requireTogether(source, ['LATCHKEY_GITHUB_CLIENT_ID', 'LATCHKEY_GITHUB_CLIENT_SECRET'], problems)) {
    const problem = githubUrl === undefined ? undefined : httpUrlProblem(githubUrl, production);
    if (problem) problems.push(`LATCHKEY_GITHUB_URL ${problem}`);
    else {
      upstreams.push({
        id: 'github',
        kind: 'github',
        label: 'GitHub',
        clientId: get('LATCHKEY_GITHUB_CLIENT_ID'),
        clientSecret: get('LATCHKEY_GITHUB_CLIENT_SECRET'),
        baseUrl: githubUrl?.replace(/\/+$/, ''),
      });
    }
  } else if (githubUrl !== undefined && value(source, 'LATCHKEY_GITHUB_CLIENT_ID') === undefined && value(source, 'LATCHKEY_GITHUB_CLIENT_SECRET') === undefined) {
    problems.push('LATCHKEY_GITHUB_CLIENT_ID is required when LATCHKEY_GITHUB_URL is set');
  }

  if (requireTogether(source, ['LATCHKEY_GOOGLE_CLIENT_ID', 'LATCHKEY_GOOGLE_CLIENT_SECRET'], problems)) {
    upstreams.push({ id: 'google', kind: 'google', label: 'Google', clientId: get('LATCHKEY_GOOGLE_CLIENT_ID'), clientSecret: get('LATCHKEY_GOOGLE_CLIENT_SECRET') });
  }

  const apple = ['LATCHKEY_APPLE_CLIENT_ID', 'LATCHKEY_APPLE_TEAM_ID', 'LATCHKEY_APPLE_KEY_ID', 'LATCHKEY_APPLE_PRIVATE_KEY'];
  if (requireTogether(source, apple, problems)) {
    const before = problems.length;
    if (!APPLE_ID.test(get('LATCHKEY_APPLE_TEAM_ID'))) problems.push('LATCHKEY_APPLE_TEAM_ID must be the 10-character team id from the Apple developer account');
    if (!APPLE_ID.test(get('LATCHKEY_APPLE_KEY_ID'))) problems.push('LATCHKEY_APPLE_KEY_ID must be the 10-character id of the Sign in with Apple key');
    const privateKey = applePrivateKey(get('LATCHKEY_APPLE_PRIVATE_KEY'));
    if (!privateKey) problems.push('LATCHKEY_APPLE_PRIVATE_KEY must be the PEM of the P-256 private key Apple issued (the .p8 file; "\\n" for line breaks is accepted)');
    if (problems.length === before && privateKey) {
      upstreams.push({
        id: 'apple',
        kind: 'apple',
        label: 'Apple',
        clientId: get('LATCHKEY_APPLE_CLIENT_ID'),
        teamId: get('LATCHKEY_APPLE_TEAM_ID'),
        keyId: get('LATCHKEY_APPLE_KEY_ID'),
        privateKey,
      });
    }
  }

  // Generic upstreams: every LATCHKEY_OIDC_<NAME>_* variable, grouped by NAME.
  const names = new Set<string>();
  for (const key of Object.keys(source).sort()) {
    if (!key.startsWith('LATCHKEY_OIDC_') || value(source, key) === undefined) continue;
    const match = OIDC_VARIABLE.exec(key);
    if (!match) {
      problems.push(`${key} is not a known variable: use LATCHKEY_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET or _LABEL`);
      continue;
    }
    if (!/^[A-Z0-9_]+$/.test(match[1]!) || match[1]!.length > 40) {
      problems.push(`${key}: the upstream name must be upper-case letters, digits and _ (at most 40), e.g. LATCHKEY_OIDC_ACME_ISSUER`);
      continue;
    }
    names.add(match[1]!);
  }
  for (const name of names) {
    const prefix = `LATCHKEY_OIDC_${name}`;
    const id = name.toLowerCase();
    if (BUILT_IN.includes(id)) {
      problems.push(`${prefix}_ISSUER: the name ${name} is taken by the built-in upstream; choose another`);
      continue;
    }
    const required = [`${prefix}_ISSUER`, `${prefix}_CLIENT_ID`, `${prefix}_CLIENT_SECRET`];
    const missing = required.filter((variable) => value(source, variable) === undefined);
    for (const variable of missing) problems.push(`${variable} is required to configure the ${name} upstream`);
    if (missing.length) continue;
    const problem = httpUrlProblem(get(`${prefix}_ISSUER`), production);
    if (problem) {
      problems.push(`${prefix}_ISSUER ${problem}`);
      continue;
    }
    const label = value(source, `${prefix}_LABEL`);
    if (label !== undefined && [...label].length > 40) {
      problems.push(`${prefix}_LABEL must be at most 40 characters`);
      continue;
    }
    upstreams.push({
      id,
      kind: 'oidc',
      label: label ?? name,
      issuer: get(`${prefix}_ISSUER`),
      clientId: get(`${prefix}_CLIENT_ID`),
      clientSecret: get(`${prefix}_CLIENT_SECRET`),
    });
  }
  return { upstreams: upstreams.map((upstream) => Object.freeze(upstream)), problems };
}
