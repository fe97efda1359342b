import { defineConfig } from 'vite';

// Port 5173 is the redirect URI examples/setup.mts registers: fail rather than move to another port.
export default defineConfig({
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
});
