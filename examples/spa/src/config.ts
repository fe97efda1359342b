/** Build-time settings (Vite reads VITE_* from the environment or .env.local; examples/setup.mts writes it). */
function setting(name: 'VITE_LATCHKEY_ISSUER' | 'VITE_CLIENT_ID' | 'VITE_API_URL' | 'VITE_API_RESOURCE'): string {
  const value = import.meta.env[name];
  if (!value) throw new Error(`${name} is not set: run examples/setup.mts, or see examples/spa/README.md`);
  return value;
}

export const issuer = setting('VITE_LATCHKEY_ISSUER');
export const clientId = setting('VITE_CLIENT_ID');
/** Where the example API listens, and its identifier (the token's audience; usually the same URL). */
export const apiUrl = setting('VITE_API_URL').replace(/\/+$/, '');
export const apiResource = setting('VITE_API_RESOURCE');
