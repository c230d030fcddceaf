import { performance } from 'node:perf_hooks';
import { ClientTokenSigner } from '../src/modules/client-tokens';
import type { LoadSettings } from './http-measure';
import { graphQL } from './http-workloads';
import { medianFigures } from './cost-figures';
import { closedLoop, type LoadFigures } from './load';
import { median } from './latency';

export interface TokenCheckFigures {
  /** In this process: verifying one token (HMAC-SHA256 and JSON parse), µs, median of 5 runs of 20,000. */
  readonly verifyUs: number;
  /** The same small read with the API key and with a client token it minted, closed loop, medians over rounds in turns. */
  readonly withKey: LoadFigures;
  readonly withToken: LoadFigures;
  /** Token throughput over key throughput: 1 = a token costs nothing more. */
  readonly ratio: number;
}

const smallRead = '{ conversations(first: 1) { nodes { id } } }';

function measureVerify(): number {
  const signer = new ClientTokenSigner('bench-signing-secret');
  const token = signer.sign({
    id: 'ctk_00000000000000000000', apiKeyId: 'key_00000000000000000000', workspaceId: '00000000-0000-0000-0000-000000000000',
    scopes: ['conversations:read', 'customers:read', 'events:read'], reach: { inboxes: ['support'] }, allowedOrigins: ['https://app.example.com'], expiresAt: 4_102_444_800,
  });
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const startedAt = performance.now();
    for (let index = 0; index < 20_000; index++) if (!signer.verify(token)) throw new Error('the token did not verify');
    runs.push(((performance.now() - startedAt) * 1000) / 20_000);
  }
  return median(runs);
}

/** What checking a client token costs: in isolation, and on a whole request against the same request with its key. */
export async function measureTokenCheck(origin: string, adminSecret: string, settings: LoadSettings): Promise<TokenCheckFigures> {
  const minted = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminSecret}` },
    body: JSON.stringify({ query: 'mutation { clientTokenCreate(input: { scopes: ["conversations:read"], expiresInSeconds: 86400 }) { token } }' }),
  });
  const token = ((await minted.json()) as { data?: { clientTokenCreate?: { token: string } } }).data?.clientTokenCreate?.token;
  if (!token) throw new Error('clientTokenCreate failed in the bench');
  const runs = { key: [] as LoadFigures[], token: [] as LoadFigures[] };
  for (let round = 0; round < settings.rounds; round++) {
    const warmUp = round === 0 ? settings.warmUpSeconds : 0;
    runs.key.push(await closedLoop(origin, graphQL(adminSecret, smallRead, {}), settings.connections, settings.seconds, warmUp));
    runs.token.push(await closedLoop(origin, graphQL(token, smallRead, {}), settings.connections, settings.seconds, warmUp));
  }
  const withKey = medianFigures(runs.key);
  const withToken = medianFigures(runs.token);
  if (withKey.failures + withToken.failures > 0) throw new Error(`token check: ${withKey.failures + withToken.failures} requests failed`);
  return { verifyUs: measureVerify(), withKey, withToken, ratio: withToken.requestsPerSecond / withKey.requestsPerSecond };
}
