import { performance } from 'node:perf_hooks';
import type { HttpAnswer } from './http-client';

export interface LatencySummary {
  readonly requestCount: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  /** Sequential throughput: requests over the summed latencies, one request in flight at a time. */
  readonly requestsPerSecond: number;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sortedMs: readonly number[], fraction: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil(fraction * sortedMs.length) - 1)];
}

export function summarize(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const totalMs = sorted.reduce((sum, sample) => sum + sample, 0);
  return {
    requestCount: sorted.length,
    medianMs: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    meanMs: totalMs / sorted.length,
    requestsPerSecond: (sorted.length * 1000) / totalMs,
  };
}

export interface Contender {
  readonly name: string;
  readonly send: () => Promise<HttpAnswer>;
  /** Throws when an answer is wrong; runs outside the timed part. */
  readonly check: (answer: HttpAnswer) => void;
}

/**
 * Times `requestCount` sequential requests per contender, taking turns in blocks so that drift
 * (other load on the machine, caches warming) weighs on all of them alike.
 */
export async function sampleInTurns(contenders: readonly Contender[], requestCount: number, blockSize = 20): Promise<Map<string, number[]>> {
  const samples = new Map(contenders.map((contender) => [contender.name, [] as number[]]));
  for (let done = 0; done < requestCount; done += blockSize) {
    for (const contender of contenders) {
      for (let index = done; index < Math.min(done + blockSize, requestCount); index++) {
        const startedAt = performance.now();
        const answer = await contender.send();
        samples.get(contender.name)!.push(performance.now() - startedAt);
        contender.check(answer);
      }
    }
  }
  return samples;
}
