/**
 * Every failure the SDK reports: `code` is an OAuth error code from the
 * server (`invalid_grant`, `access_denied`, …) or one of the SDK's own
 * (`state_mismatch`, `issuer_mismatch`, `id_token_invalid`, `signed_out`, …).
 */
export class LatchkeyError extends Error {
  code: string;
  constructor(code: string, message: string = code) {
    super(message);
    this.name = 'LatchkeyError';
    this.code = code;
  }
}
