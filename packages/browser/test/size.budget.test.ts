import { describe, expect, it } from 'vitest';
import { CORE_BUDGET, measure } from '../scripts/size.ts';

describe('bundle size', () => {
  it(`core sign-in entry is at most ${CORE_BUDGET} B min+gzip (esbuild, browser ESM) and carries no account client`, async () => {
    const core = await measure('@latchkey/browser');
    const account = await measure('@latchkey/browser/account');
    console.log(`@latchkey/browser ${core.gzipped} B, /account ${account.gzipped} B (min+gzip)`);
    expect(core.gzipped).toBeLessThanOrEqual(CORE_BUDGET);
    expect(core.gzipped).toBeGreaterThan(1000); // the whole SDK got bundled, not an empty module
    expect(account.gzipped).toBeLessThan(2048);
  });
});
