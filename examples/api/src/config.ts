/** The example API's settings: read from the environment here and nowhere else. */
export type ApiConfig = {
  /** Latchkey's issuer URL. */
  issuer: string;
  /** This API's identifier as registered (`latchkey resources create --identifier`): the tokens' audience. */
  resource: string;
  /** The API's own introspection credentials (printed once by `resources create`). */
  introspectionClientId: string;
  introspectionClientSecret: string;
  /** Origins allowed to call from a browser (CORS): the SPA. */
  corsOrigins: string[];
  port: number;
};

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is required (run examples/setup.mts, or see examples/api/README.md)`);
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string): string {
  const value = required(env, name);
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new Error(`${name} must be an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ApiConfig> {
  const port = Number(env.PORT ?? '4000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const corsOrigins = (env.SPA_ORIGIN ?? 'http://localhost:5173').split(',').map((origin) => origin.trim().replace(/\/+$/, '')).filter(Boolean);
  return Object.freeze({
    issuer: url(env, 'LATCHKEY_ISSUER'),
    resource: url(env, 'API_RESOURCE'),
    introspectionClientId: required(env, 'INTROSPECTION_CLIENT_ID'),
    introspectionClientSecret: required(env, 'INTROSPECTION_CLIENT_SECRET'),
    corsOrigins,
    port,
  });
}
