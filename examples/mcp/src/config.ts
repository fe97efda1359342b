/** The example MCP server's settings: read from the environment here and nowhere else. */
export type McpConfig = {
  /** Latchkey's issuer URL. */
  issuer: string;
  /** This server's MCP endpoint as registered (`latchkey resources create --identifier`): the tokens' audience. */
  resource: string;
  /** The API's introspection credentials, created with `--signals`: they also receive its Shared Signals. */
  clientId: string;
  clientSecret: string;
  /** 'poll' (default) or 'push' (Latchkey POSTs events to <origin>/ssf/events; it must reach this server). */
  signals: 'poll' | 'push' | 'off';
  port: number;
};

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is required (run examples/setup.mts, or see examples/mcp/README.md)`);
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string): string {
  const value = required(env, name);
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new Error(`${name} must be an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<McpConfig> {
  const port = Number(env.PORT ?? '4100');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const signals = env.SIGNALS ?? 'poll';
  if (signals !== 'poll' && signals !== 'push' && signals !== 'off') throw new Error(`SIGNALS must be poll, push or off, got "${signals}"`);
  return Object.freeze({
    issuer: url(env, 'LATCHKEY_ISSUER'),
    resource: url(env, 'MCP_RESOURCE'),
    clientId: required(env, 'INTROSPECTION_CLIENT_ID'),
    clientSecret: required(env, 'INTROSPECTION_CLIENT_SECRET'),
    signals,
    port,
  });
}
