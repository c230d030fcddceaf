import autocannon from 'autocannon';
import type { LoadSettings } from './http-measure';
import { closedLoop, openLoop, type LoadFigures, type LoadRequest } from './load';
import { median } from './latency';

/**
 * The largest budget a key or workspace may have: what the suite's own keys get, so that the
 * budgets a shared deployment needs do not throttle a benchmark asking back to back.
 */
export const benchCostBudget = '10000000/1000000';

export interface CostAnalysisOverhead {
  /** Medians over the rounds, taken in turns (on, off, on, off …) against the same database. */
  readonly on: LoadFigures;
  readonly off: LoadFigures;
  /** Closed-loop throughput with cost analysis over without. */
  readonly ratio: number;
}

export interface NeighbourLoad {
  readonly connections: number;
  readonly requestedQueryCost: number;
  readonly requests: number;
  readonly answered: number;
  readonly refused: number;
}

export interface NoisyNeighbour {
  readonly ratePerSecond: number;
  /** Open-loop figures of the page, medians over the rounds, alone and next to the neighbour. */
  readonly alone: LoadFigures;
  readonly withNeighbour: LoadFigures;
  /** p99 with the neighbour over p99 without. */
  readonly p99Ratio: number;
  /** What the neighbour sent over all rounds: most of it refused for want of points. */
  readonly neighbour: NeighbourLoad;
}

export interface CostFigures {
  readonly overhead: CostAnalysisOverhead;
  readonly noisyNeighbour: NoisyNeighbour;
}


/** Medians of rounds' figures; requests and failures summed. */
export function medianFigures(runs: readonly LoadFigures[]): LoadFigures {
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
  };
}

function failOn(label: string, figures: LoadFigures): LoadFigures {
  if (figures.failures > 0) throw new Error(`${label}: ${figures.failures} of ${figures.requests} requests failed`);
  return figures;
}

/** The same page against a gateway with cost analysis and one without (COST_ANALYSIS=false), in turns. */
export async function measureCostAnalysisOverhead(onOrigin: string, offOrigin: string, page: LoadRequest, settings: LoadSettings): Promise<CostAnalysisOverhead> {
  const runs = { on: [] as LoadFigures[], off: [] as LoadFigures[] };
  for (let round = 0; round < settings.rounds; round++) {
    const warmUp = round === 0 ? settings.warmUpSeconds : 0;
    runs.on.push(failOn('cost analysis on', await closedLoop(onOrigin, page, settings.connections, settings.seconds, warmUp)));
    runs.off.push(failOn('cost analysis off', await closedLoop(offOrigin, page, settings.connections, settings.seconds, warmUp)));
  }
  const on = medianFigures(runs.on);
  const off = medianFigures(runs.off);
  return { on, off, ratio: on.requestsPerSecond / off.requestsPerSecond };
}

/** A closed loop that expects refusals: counts them instead of failing. */
function flood(origin: string, request: LoadRequest, connections: number, seconds: number): Promise<{ requests: number; answered: number; refused: number }> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url: origin, connections, duration: seconds, timeout: 30, requests: [{ method: request.method, path: request.path, headers: request.headers, body: request.body }] } as autocannon.Options,
      (error, result) => {
        if (error) return reject(error);
        const byStatus = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
        resolve({ requests: result.requests.total, answered: byStatus['200']?.count ?? 0, refused: byStatus['429']?.count ?? 0 });
      },
    );
  });
}

/**
 * The page's open-loop p99 alone, then while a second key sends the most expensive query its
 * budget allows in a loop, one after another and ignoring every 429, so that the gateway paces its
 * refusals (in turns, alone first):
 * what one integrator's abuse costs another.
 */
export async function measureNoisyNeighbour(
  origin: string,
  page: LoadRequest,
  neighbourRequest: LoadRequest,
  neighbourCost: number,
  ratePerSecond: number,
  settings: LoadSettings,
): Promise<NoisyNeighbour> {
  const runs = { alone: [] as LoadFigures[], withNeighbour: [] as LoadFigures[] };
  const neighbour = { connections: 1, requestedQueryCost: neighbourCost, requests: 0, answered: 0, refused: 0 };
  for (let round = 0; round < settings.rounds; round++) {
    runs.alone.push(failOn('page alone', await openLoop(origin, page, ratePerSecond, settings.seconds)));
    const [measured, neighbourRun] = await Promise.all([
      openLoop(origin, page, ratePerSecond, settings.seconds),
      flood(origin, neighbourRequest, neighbour.connections, settings.seconds),
    ]);
    runs.withNeighbour.push(failOn('page next to the neighbour', measured));
    neighbour.requests += neighbourRun.requests;
    neighbour.answered += neighbourRun.answered;
    neighbour.refused += neighbourRun.refused;
  }
  const alone = medianFigures(runs.alone);
  const withNeighbour = medianFigures(runs.withNeighbour);
  return { ratePerSecond, alone, withNeighbour, p99Ratio: withNeighbour.p99Ms / alone.p99Ms, neighbour };
}
