import { createLatchkey } from '@latchkey/browser';
import { apiResource, clientId, issuer } from './config.ts';

// Sign-in, all of it (README: 4 lines of app code, plus the button in main.ts).
export const latchkey = createLatchkey({ issuer, clientId, redirectUri: `${location.origin}/`, postLogoutRedirectUri: `${location.origin}/`, resource: apiResource, scopes: ['openid', 'profile', 'email', 'offline_access', 'read:things'] });
export const signedIn = latchkey.handleRedirect(); // finishes a sign-in when Latchkey redirected back here
