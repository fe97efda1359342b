import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  console.error(`example MCP server: ${(error as Error).message}`);
  process.exit(1);
}

const { app, signals } = createApp(config);
const server = app.listen(config.port, async () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`example MCP server listening on http://localhost:${port} (resource ${config.resource}, issuer ${config.issuer})`);
  // After listening: a push stream's first event may come at once.
  await signals?.start().then(
    () => console.log(`receiving Shared Signals (${config.signals}), stream ${signals.stream?.stream_id}`),
    (error: unknown) => console.error(`Shared Signals not received: ${(error as Error).message}`),
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await signals?.close();
    server.close(() => process.exit(0));
  });
}
