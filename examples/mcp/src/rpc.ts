import type { AuthInfo } from '@latchkey/node';

/**
 * A few MCP-shaped JSON-RPC 2.0 methods (initialize, tools/list, tools/call),
 * enough for a client to find and call a tool; not a full MCP implementation.
 */

export type RpcRequest = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
type RpcAnswer = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: { code: number; message: string } };

const notes = [
  { id: 1, text: 'buy a kettle' },
  { id: 2, text: 'descale the teapot' },
];

const TOOLS = [
  { name: 'whoami', description: 'Who the access token belongs to', inputSchema: { type: 'object', properties: {} } },
  { name: 'list_notes', description: 'The notes this server keeps', inputSchema: { type: 'object', properties: {} } },
];

const text = (value: unknown) => ({ content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value });

export function answer(request: RpcRequest, auth: AuthInfo): RpcAnswer {
  const id = request.id ?? null;
  const fail = (code: number, message: string): RpcAnswer => ({ jsonrpc: '2.0', id, error: { code, message } });
  if (request.jsonrpc !== '2.0' || typeof request.method !== 'string') return fail(-32600, 'invalid request');
  switch (request.method) {
    case 'initialize':
      return { jsonrpc: '2.0', id, result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'latchkey-example-mcp', version: '0.0.0' } } };
    case 'tools/list':
      return { jsonrpc: '2.0', id, result: { tools: TOOLS } };
    case 'tools/call': {
      const name = (request.params as { name?: unknown } | undefined)?.name;
      if (name === 'whoami') return { jsonrpc: '2.0', id, result: text({ sub: auth.sub, client_id: auth.clientId, scopes: auth.scopes }) };
      if (name === 'list_notes') return { jsonrpc: '2.0', id, result: text({ notes }) };
      return fail(-32602, `unknown tool ${String(name)}`);
    }
    default:
      return fail(-32601, `method ${request.method} not found`);
  }
}
