import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { createVerifier } from '../src/index.ts';

/**
 * `pnpm bench:verify`: verifications per second, one at a time, for
 * @latchkey/node's verifier and for jose.jwtVerify with a local JWKS, in
 * interleaved rounds so both see the same machine load. Not a test.
 */

const ISSUER = 'https://auth.bench.example';
const AUDIENCE = 'https://api.bench.example';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 100);
const ALGS = ['ES256', 'RS256'] as const;

async function setup(alg: (typeof ALGS)[number]) {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: `bench-${alg}`, alg, use: 'sig' };
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ client_id: 'bench', scope: 'read write' })
    .setProtectedHeader({ alg, typ: 'at+jwt', kid: jwk.kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('user-1')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .setJti(`jti-${alg}`)
    .sign(privateKey);
  const jwks = { keys: [jwk] };
  // The SDK fetches its JWKS once; it gets it from memory here so the network is not what is measured.
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: `${ISSUER}/jwks`,
    fetch: async () => Response.json(jwks),
  });
  const localSet = createLocalJWKSet(jwks);
  const sdk = () => verifier.verify(token, { scopes: ['read'] });
  const jose = () => jwtVerify(token, localSet, { issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', algorithms: [alg] });
  await sdk();
  await jose();
  return { sdk, jose };
}

/** Runs `run` one call at a time for about `ms`; returns calls and elapsed wall-clock and CPU time. */
async function slice(run: () => Promise<unknown>, ms: number) {
  let calls = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const until = started + ms;
  while (performance.now() < until) {
    for (let i = 0; i < 20; i++) await run();
    calls += 20;
  }
  const used = process.cpuUsage(cpu);
  return { calls, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

type Totals = { calls: number; wallMs: number; cpuMs: number; ratios: number[] };
const empty = (): Totals => ({ calls: 0, wallMs: 0, cpuMs: 0, ratios: [] });

const cases = Object.fromEntries(await Promise.all(ALGS.map(async (alg) => [alg, await setup(alg)] as const)));
const totals = Object.fromEntries(ALGS.map((alg) => [alg, { sdk: empty(), jose: empty() }]));

// Many short alternating slices: on a shared machine the load changes by the second, and both sides see the same.
for (let round = 0; round < ROUNDS; round++) {
  for (const alg of ALGS) {
    const order = round % 2 === 0 ? (['sdk', 'jose'] as const) : (['jose', 'sdk'] as const);
    const rates: Record<string, number> = {};
    for (const which of order) {
      const r = await slice(cases[alg]![which], ROUND_MS);
      const t = totals[alg]![which];
      t.calls += r.calls;
      t.wallMs += r.wallMs;
      t.cpuMs += r.cpuMs;
      rates[which] = r.calls / r.wallMs;
    }
    totals[alg]!.sdk.ratios.push(rates.sdk! / rates.jose!);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number, width = 10) => Math.round(n).toLocaleString('en-US').padStart(width);
console.log(`verifications per second, one at a time (${ROUNDS} interleaved rounds of ${ROUND_MS} ms each; node ${process.version})\n`);
console.log('alg     @latchkey/node   jose.jwtVerify   ratio (median of rounds)   CPU µs per verify: sdk / jose');
for (const alg of ALGS) {
  const { sdk, jose } = totals[alg]!;
  const sdkRate = (sdk.calls / sdk.wallMs) * 1000;
  const joseRate = (jose.calls / jose.wallMs) * 1000;
  console.log(
    `${alg.padEnd(6)}  ${fmt(sdkRate)}       ${fmt(joseRate)}       ${(sdkRate / joseRate).toFixed(2)}× (${median(sdk.ratios).toFixed(2)}×)` +
      `              ${((sdk.cpuMs * 1000) / sdk.calls).toFixed(1)} / ${((jose.cpuMs * 1000) / jose.calls).toFixed(1)}`,
  );
}
