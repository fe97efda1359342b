import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { createVerifier } from '../src/index.ts';

/**
 * `pnpm bench:verify`: verifications per second, one at a time, for
 * @latchkey/node's verifier and for jose.jwtVerify with a local JWKS, in
 * interleaved rounds so both see the same machine load. Not a test.
 */

const ISSUER = 'https://auth.bench.example';
const AUDIENCE = 'https://api.bench.example';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 600);
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

async function perSecond(run: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const started = performance.now();
  const until = started + ROUND_MS;
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) await run();
    count += 50;
  }
  return count / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const cases = Object.fromEntries(await Promise.all(ALGS.map(async (alg) => [alg, await setup(alg)] as const)));
const results: Record<string, { sdk: number[]; jose: number[] }> = Object.fromEntries(ALGS.map((alg) => [alg, { sdk: [], jose: [] }]));

for (let round = 0; round < ROUNDS; round++) {
  for (const alg of ALGS) {
    // Alternate which goes first, so warm-up and load drift favour neither.
    const order = round % 2 === 0 ? (['sdk', 'jose'] as const) : (['jose', 'sdk'] as const);
    for (const which of order) results[alg]![which].push(await perSecond(cases[alg]![which]));
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
console.log(`verifications per second, one at a time (median of ${ROUNDS} rounds of ${ROUND_MS} ms; node ${process.version})\n`);
console.log('alg     @latchkey/node   jose.jwtVerify   ratio');
for (const alg of ALGS) {
  const sdk = median(results[alg]!.sdk);
  const jose = median(results[alg]!.jose);
  console.log(`${alg.padEnd(6)}  ${fmt(sdk)}       ${fmt(jose)}       ${(sdk / jose).toFixed(2)}×`);
}
