import { apiUrl } from './config.ts';
import { latchkey, signedIn } from './auth.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const output = $('output');

function show(): void {
  const user = latchkey.user;
  $('signed-in').hidden = !user;
  $('signed-out').hidden = Boolean(user);
  $('user').textContent = user ? String(user.email ?? user.name ?? user.sub) : '';
  status.textContent = user ? 'Signed in.' : 'Signed out.';
}

/** Calls the example API with the DPoP-bound access token (fetchWithAuth signs a fresh proof per call). */
async function callApi(path: string): Promise<void> {
  output.textContent = `GET ${path} …`;
  try {
    const response = await latchkey.fetchWithAuth(`${apiUrl}${path}`);
    const body = await response.json().catch(() => null);
    output.textContent = `GET ${path} → ${response.status}\n${JSON.stringify(body, null, 2)}`;
  } catch (error) {
    output.textContent = `GET ${path} failed: ${(error as Error).message}`;
  }
}

$('sign-in').addEventListener('click', () => void latchkey.signIn());
$('sign-out').addEventListener('click', () => void latchkey.signOut());
$('call-jwt').addEventListener('click', () => void callApi('/things'));
$('call-introspection').addEventListener('click', () => void callApi('/things/live'));
$('refresh').addEventListener('click', async () => {
  output.textContent = 'refreshing …';
  const token = await latchkey.getAccessToken({ forceRefresh: true }).catch((error: Error) => error);
  output.textContent = token instanceof Error ? `refresh failed: ${token.message}` : token ? 'tokens refreshed' : 'signed out';
});
latchkey.on('signedOut', show);
latchkey.on('error', (error) => (status.textContent = `Error: ${error.code}: ${error.message}`));

signedIn.then(show, (error: Error) => {
  show();
  status.textContent = `Sign-in failed: ${error.message}`;
});
