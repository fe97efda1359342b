import path from 'node:path';
import { z } from 'zod';
import { lazy } from '../lazy.ts';
import { DEFAULT_POLICIES, scopesOf, type LimitName, type PolicyOverrides, type Scope } from '../ratelimit/policies.ts';
import { parseSocialUpstreams, type SocialUpstream } from './social.ts';

// Phone metadata is large: loaded only to check LATCHKEY_PHONE_REGION when it is set.
const phoneNumbers = lazy<typeof import('libphonenumber-js/max')>('libphonenumber-js/max');

// Every environment variable Latchkey reads is declared here, and nowhere else.
// Boot fails with a message that names the variable when a value is wrong.

const url = (protocols: string[], name: string) =>
  z.string().trim().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a ${name} URL (${protocols.map((p) => `${p}//`).join(' or ')}…)`);

const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): false | number | string[] => {
    if (value === '' || value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    const ok = entries.every((entry) =>
      /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(entry),
    );
    if (value === 'true' || !ok) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message:
          'must be false, a number of proxy hops, or a comma-separated list of proxy addresses/CIDRs ' +
          '(loopback, linklocal, uniquelocal allowed); "true" would let any client spoof its address',
      });
      return z.NEVER;
    }
    return entries;
  });

const DURATION_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * LATCHKEY_RATE_LIMITS: comma-separated `limit.scope=points/duration`, e.g.
 * `sign-in.ip=50/1h, device-code.global=200/15m`; duration in s, m, h or d.
 */
const rateLimits = z
  .string()
  .trim()
  .transform((value, ctx): PolicyOverrides => {
    const overrides: PolicyOverrides = {};
    const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
    for (const [index, entry] of entries.entries()) {
      const at = `entry ${index + 1}`;
      const match = /^([a-z-]+)\.([a-z]+)\s*=\s*(\d{1,9})\s*\/\s*(\d{1,6})([smhd]?)$/.exec(entry);
      const name = match?.[1] as LimitName | undefined;
      const policy = name && Object.hasOwn(DEFAULT_POLICIES, name) ? DEFAULT_POLICIES[name] : undefined;
      const scope = match?.[2] as Scope | undefined;
      const points = Number(match?.[3]);
      const seconds = Number(match?.[4]) * DURATION_SECONDS[match?.[5] ?? '']!;
      let problem: string | undefined;
      if (!match) problem = `${at} must look like sign-in.ip=100/1h (limit.scope=points/duration, duration in s, m, h or d)`;
      else if (!policy) problem = `${at} names an unknown limit; known: ${Object.keys(DEFAULT_POLICIES).join(', ')}`;
      else if (!scopesOf(policy).includes(scope!)) problem = `${at}: ${name} has no scope "${match[2]}"; it has: ${scopesOf(policy).join(', ')}`;
      else if (points < 1 || seconds < 1 || seconds > 7 * 86400) problem = `${at} needs at least 1 point and a duration from 1s to 7d`;
      if (problem) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
        return z.NEVER;
      }
      overrides[name!] = { ...overrides[name!], [scope!]: { points, seconds } };
    }
    return overrides;
  });

const secretList = z
  .string()
  .trim()
  .transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
  .refine((list) => list.length > 0 && list.every((s) => s.length >= 32), {
    message: 'must be one or more comma-separated secrets of at least 32 characters each (newest first)',
  });

// LATCHKEY_CIMD_HOSTS: `tools.example.org` (that host) or `*.example.com` (any host below it, not itself).
const HOST_LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
const HOST_PATTERN = new RegExp(`^(\\*\\.${HOST_LABEL}(\\.${HOST_LABEL})+|${HOST_LABEL}(\\.${HOST_LABEL})*)$`);
const hostPatterns = z
  .string()
  .trim()
  .transform((value) => value.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean))
  .refine((list) => list.every((p) => HOST_PATTERN.test(p)), {
    message: 'must be comma-separated host names or *.domain patterns (e.g. *.example.com,tools.example.org; * needs a domain of two or more labels)',
  });

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    // Unset: http://localhost:$PORT, so changing PORT alone keeps the issuer right.
    LATCHKEY_ISSUER: optional(
      url(['http:', 'https:'], 'http(s)').refine((value) => {
        const u = new URL(value);
        return !u.search && !u.hash;
      }, 'must not carry a query or fragment'),
    ),
    PORT: z.coerce.number({ invalid_type_error: 'must be a port number' }).int().min(1).max(65535).default(3000),
    DATABASE_URL: optional(url(['postgres:', 'postgresql:'], 'PostgreSQL')),
    REDIS_URL: optional(url(['redis:', 'rediss:'], 'Redis')),
    LATCHKEY_DATA_DIR: z.string().trim().min(1).default('./.latchkey'),
    LATCHKEY_SECRETS: optional(secretList),
    SMTP_URL: optional(url(['smtp:', 'smtps:'], 'SMTP')),
    // Twilio's Messages API shape (src/phone/sms.ts); the URL's userinfo is the Basic auth.
    // Refinements all run: a value the URL check refused is not parsed again here.
    SMS_URL: optional(url(['http:', 'https:'], 'http(s)').refine((value) => !URL.canParse(value) || !new URL(value).hash, 'must not carry a fragment')),
    SMS_FROM: optional(
      z
        .string()
        .trim()
        .regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, 'must be the sender number in E.164 form (+14155550100) or a messaging service id (MG followed by 32 hex digits)'),
    ),
    LATCHKEY_PHONE_REGION: optional(
      z
        .string()
        .trim()
        .toUpperCase()
        .refine((value) => phoneNumbers().isSupportedCountry(value), 'must be a two-letter country code (ISO 3166-1 alpha-2, e.g. US or GB)'),
    ),
    LATCHKEY_SIGNUP: z.enum(['open', 'invite', 'closed']).default('open'),
    LATCHKEY_MFA: z.enum(['optional', 'required'], { errorMap: () => ({ message: "must be 'optional' or 'required'" }) }).default('optional'),
    LATCHKEY_MFA_REQUIRED_ROLES: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((role) => role.trim()).filter(Boolean))
      .refine((roles) => roles.every((role) => /^[a-z][a-z0-9_-]{0,63}$/.test(role)), 'must be a comma-separated list of role names (e.g. admin,support)'),
    LATCHKEY_TRUST_PROXY: trustProxy.default('false'),
    LATCHKEY_RATE_LIMITS: rateLimits.default(''),
    LATCHKEY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LATCHKEY_REGISTRATION_TOKEN: optional(z.string().min(32, 'must be at least 32 characters')),
    // Client ID Metadata Documents (oidc/client-id-metadata.ts) and who may register clients (oidc/registration-policy.ts).
    LATCHKEY_CIMD: z.enum(['off', 'allowlist', 'any'], { errorMap: () => ({ message: "must be 'off', 'allowlist' or 'any'" }) }).default('off'),
    LATCHKEY_CIMD_HOSTS: hostPatterns.default(''),
    LATCHKEY_REGISTRATION: optional(
      z.enum(['off', 'initial-access-token', 'open-public'], { errorMap: () => ({ message: "must be 'off', 'initial-access-token' or 'open-public'" }) }),
    ),
    LATCHKEY_KEY_REFRESH_SECONDS: z.coerce.number().int().min(1).max(60).default(30),
    LATCHKEY_PRODUCT_NAME: z.string().trim().min(1).max(60).default('Latchkey'),
    LATCHKEY_LOGO_URL: optional(
      z.string().trim().refine((value) => value.startsWith('/') || /^https:\/\//.test(value), 'must be an https:// URL or a path starting with /'),
    ),
    LATCHKEY_BRAND_COLOR: z
      .string()
      .trim()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #3b5bdb')
      .default('#3b5bdb'),
    MAIL_FROM: z.string().trim().min(3).default('Latchkey <no-reply@localhost>'),
    LATCHKEY_DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    LATCHKEY_DB_ACQUIRE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(5),
    LATCHKEY_DB_STATEMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(3600).default(15),
    LATCHKEY_SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
    LATCHKEY_METRICS_PORT: optional(z.coerce.number({ invalid_type_error: 'must be a port number' }).int().min(1).max(65535)),
    LATCHKEY_METRICS_TOKEN: optional(z.string().trim().min(32, 'must be at least 32 characters')),
    OTEL_EXPORTER_OTLP_ENDPOINT: optional(url(['http:', 'https:'], 'http(s)')),
    OTEL_SERVICE_NAME: optional(z.string().trim().min(1).max(100)),
    // Outbound requests (src/http/outbound.ts): 'allow' lets client-supplied URLs reach private addresses. Development and tests only.
    LATCHKEY_OUTBOUND_PRIVATE: optional(z.enum(['allow', 'deny'], { errorMap: () => ({ message: "must be 'allow' or 'deny' (allow is for development and tests only)" }) })),
  })
  .superRefine((env, ctx) => {
    if (env.LATCHKEY_METRICS_PORT !== undefined && env.LATCHKEY_METRICS_PORT === env.PORT) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['LATCHKEY_METRICS_PORT'], message: 'must differ from PORT (leave it unset to serve /metrics on PORT)' });
    }
    if (env.SMS_URL && !env.SMS_FROM) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['SMS_FROM'], message: 'is required when SMS_URL is set (the number or messaging service texts come from)' });
    }
    if (env.SMS_FROM && !env.SMS_URL) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['SMS_FROM'], message: 'needs SMS_URL (the SMS API to send through)' });
    }
    if (env.LATCHKEY_CIMD === 'allowlist' && !env.LATCHKEY_CIMD_HOSTS.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['LATCHKEY_CIMD_HOSTS'], message: 'is required when LATCHKEY_CIMD=allowlist (the hosts whose client ID metadata documents are accepted)' });
    }
    if (env.LATCHKEY_CIMD !== 'allowlist' && env.LATCHKEY_CIMD_HOSTS.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['LATCHKEY_CIMD_HOSTS'], message: `is used only with LATCHKEY_CIMD=allowlist (it is '${env.LATCHKEY_CIMD}')` });
    }
    if (env.LATCHKEY_REGISTRATION === 'initial-access-token' && !env.LATCHKEY_REGISTRATION_TOKEN) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['LATCHKEY_REGISTRATION_TOKEN'], message: 'is required when LATCHKEY_REGISTRATION=initial-access-token' });
    }
    if (env.LATCHKEY_REGISTRATION === 'off' && env.LATCHKEY_REGISTRATION_TOKEN) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['LATCHKEY_REGISTRATION_TOKEN'], message: 'is set but LATCHKEY_REGISTRATION=off (unset one of them)' });
    }
    if (env.NODE_ENV !== 'production') return;
    if (env.SMS_URL && !env.SMS_URL.startsWith('https://')) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['SMS_URL'], message: 'must be an https:// URL when NODE_ENV=production (it carries the API credentials)' });
    }
    if (!env.LATCHKEY_SECRETS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['LATCHKEY_SECRETS'], message: 'is required when NODE_ENV=production' });
    }
    if (!env.LATCHKEY_ISSUER?.startsWith('https://')) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['LATCHKEY_ISSUER'], message: 'must be an https:// URL when NODE_ENV=production' });
    }
  });

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  issuer: string;
  port: number;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  /** Newest first; undefined means "generate and keep in the data dir" (never in production). */
  secrets: readonly string[] | undefined;
  smtpUrl: string | undefined;
  /** Texts go through this Twilio-shaped API when set; otherwise a dev outbox (never in production, where phone is then off). */
  sms: Readonly<{ url: string; from: string }> | undefined;
  /** The country assumed for phone numbers typed without +country (ISO 3166-1 alpha-2). */
  phoneRegion: string | undefined;
  signup: 'open' | 'invite' | 'closed';
  /** Second factor: 'required' for everyone, or only for the listed roles; accounts that set one up are always asked. */
  mfa: Readonly<{ policy: 'optional' | 'required'; requiredRoles: readonly string[] }>;
  trustProxy: false | number | readonly string[];
  /** Operator's windows over the default rate limits (src/ratelimit/policies.ts). */
  rateLimits: Readonly<PolicyOverrides>;
  logLevel: string;
  registrationToken: string | undefined;
  /**
   * Dynamic registration (RFC 7591): off, only with the initial access token, or open to public
   * clients (PKCE, no secret) with the token still needed for anything else.
   */
  registration: 'off' | 'initial-access-token' | 'open-public';
  /** Client ID Metadata Documents: which https client_id URLs are fetched (host patterns for 'allowlist'). */
  cimd: Readonly<{ policy: 'off' | 'allowlist' | 'any'; hosts: readonly string[] }>;
  keyRefreshSeconds: number;
  brand: Readonly<{ productName: string; logoUrl: string | undefined; color: string }>;
  mailFrom: string;
  /** Postgres pool size and the waits that bound a slow or absent database. */
  db: Readonly<{ poolMax: number; acquireTimeoutSeconds: number; statementTimeoutSeconds: number }>;
  /** After SIGTERM: seconds /readyz answers 503 while requests still run, before the listener closes. */
  shutdownDrainSeconds: number;
  /** /metrics: on its own port when set (else on PORT), behind a bearer token when set. */
  metrics: Readonly<{ port: number | undefined; token: string | undefined }>;
  /** OpenTelemetry traces go to this OTLP/HTTP endpoint when it is set. */
  tracing: Readonly<{ endpoint: string | undefined; serviceName: string }>;
  /** LATCHKEY_OUTBOUND_PRIVATE=allow: URLs clients supplied may reach private and loopback addresses (development and tests). */
  outboundPrivate: boolean;
  /** Social / upstream sign-in (config/social.ts): GitHub, Google, Apple, LATCHKEY_OIDC_<NAME>_*; empty when none is configured. */
  social: readonly SocialUpstream[];
}>;

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment once. Throws ConfigError naming each bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(source);
  const social = parseSocialUpstreams(source, source.NODE_ENV === 'production');
  if (!parsed.success || social.problems.length) {
    throw new ConfigError([
      ...(parsed.success ? [] : parsed.error.issues).map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        // Never echo the value: it may be a secret.
        return `${name} ${issue.message}`;
      }),
      ...social.problems,
    ]);
  }
  const env = parsed.data;
  return Object.freeze({
    env: env.NODE_ENV,
    issuer: (env.LATCHKEY_ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    dataDir: path.resolve(env.LATCHKEY_DATA_DIR),
    secrets: env.LATCHKEY_SECRETS ? Object.freeze(env.LATCHKEY_SECRETS) : undefined,
    smtpUrl: env.SMTP_URL,
    sms: env.SMS_URL && env.SMS_FROM ? Object.freeze({ url: env.SMS_URL, from: env.SMS_FROM }) : undefined,
    phoneRegion: env.LATCHKEY_PHONE_REGION,
    signup: env.LATCHKEY_SIGNUP,
    mfa: Object.freeze({ policy: env.LATCHKEY_MFA, requiredRoles: Object.freeze(env.LATCHKEY_MFA_REQUIRED_ROLES) }),
    trustProxy: Array.isArray(env.LATCHKEY_TRUST_PROXY)
      ? Object.freeze(env.LATCHKEY_TRUST_PROXY)
      : env.LATCHKEY_TRUST_PROXY,
    rateLimits: Object.freeze(env.LATCHKEY_RATE_LIMITS),
    logLevel: env.LATCHKEY_LOG_LEVEL,
    registrationToken: env.LATCHKEY_REGISTRATION_TOKEN,
    // Unset: the token alone turns registration on, as before LATCHKEY_REGISTRATION existed.
    registration: env.LATCHKEY_REGISTRATION ?? (env.LATCHKEY_REGISTRATION_TOKEN ? 'initial-access-token' : 'off'),
    cimd: Object.freeze({ policy: env.LATCHKEY_CIMD, hosts: Object.freeze(env.LATCHKEY_CIMD_HOSTS) }),
    keyRefreshSeconds: env.LATCHKEY_KEY_REFRESH_SECONDS,
    brand: Object.freeze({ productName: env.LATCHKEY_PRODUCT_NAME, logoUrl: env.LATCHKEY_LOGO_URL, color: env.LATCHKEY_BRAND_COLOR.toLowerCase() }),
    mailFrom: env.MAIL_FROM,
    db: Object.freeze({
      poolMax: env.LATCHKEY_DB_POOL_MAX,
      acquireTimeoutSeconds: env.LATCHKEY_DB_ACQUIRE_TIMEOUT_SECONDS,
      statementTimeoutSeconds: env.LATCHKEY_DB_STATEMENT_TIMEOUT_SECONDS,
    }),
    shutdownDrainSeconds: env.LATCHKEY_SHUTDOWN_DRAIN_SECONDS,
    metrics: Object.freeze({ port: env.LATCHKEY_METRICS_PORT, token: env.LATCHKEY_METRICS_TOKEN }),
    tracing: Object.freeze({ endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME ?? 'latchkey' }),
    outboundPrivate: env.LATCHKEY_OUTBOUND_PRIVATE === 'allow',
    social: Object.freeze(social.upstreams),
  });
}
