import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { closedLoop, type LoadRequest } from './load';
import type { LoadSettings } from './http-measure';
import { startGatewayProcess, type ServerProcess } from './processes';
import { median } from './latency';

/**
 * The page of 50 served by one gateway process, then by two on the same database with the same
 * connections split between them, in turns; and PostgreSQL's execution time per page request,
 * which bounds what any number of instances can serve (docs/scaling.md).
 */
export interface InstanceScaling {
  /** Closed-loop req/s, medians over the rounds. */
  readonly oneInstance: number;
  readonly twoInstances: number;
  readonly rounds: readonly { readonly one: number; readonly two: number }[];
  /** pg_stat_statements' execution time per request over sequential requests; null without pg_stat_statements. */
  readonly databaseMsPerRequest: number | null;
  readonly statementsPerRequest: number | null;
  /** CPU time of the one gateway process per request over its closed-loop rounds (/proc, Linux); null elsewhere. */
  readonly gatewayCpuMsPerRequest: number | null;
}

/** User plus system CPU time of a process so far, in ms, from /proc (null where there is none). */
function cpuMsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are the 14th and 15th fields of the line, in clock ticks (100 a second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}


async function databaseTimePerRequest(origin: string, request: LoadRequest, databaseUrl: string): Promise<{ ms: number; statements: number } | null> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const totals = async () => {
      const { rows } = await client.query(`select coalesce(sum(total_exec_time), 0)::float8 as ms, coalesce(sum(calls), 0)::float8 as calls
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat_statements%'`);
      return { ms: rows[0].ms as number, calls: rows[0].calls as number };
    };
    const before = await totals();
    const run = await closedLoop(origin, request, 1, 3, 0);
    const after = await totals();
    return { ms: (after.ms - before.ms) / run.requests, statements: (after.calls - before.calls) / run.requests };
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

export async function measureInstanceScaling(first: ServerProcess, environment: Record<string, string>, request: LoadRequest, load: LoadSettings, databaseUrl: string): Promise<InstanceScaling> {
  const second = await startGatewayProcess(environment);
  try {
    const half = Math.max(1, Math.floor(load.connections / 2));
    const rounds: { one: number; two: number }[] = [];
    let oneInstanceCpuMs = 0;
    let oneInstanceRequests = 0;
    for (let round = 0; round < load.rounds; round++) {
      const warmUp = round === 0 ? load.warmUpSeconds : 0;
      if (warmUp > 0) await closedLoop(first.origin, request, load.connections, warmUp, 0);
      const cpuBefore = cpuMsOf(first.pid);
      const one = await closedLoop(first.origin, request, load.connections, load.seconds, 0);
      const cpuAfter = cpuMsOf(first.pid);
      if (cpuBefore !== null && cpuAfter !== null) {
        oneInstanceCpuMs += cpuAfter - cpuBefore;
        oneInstanceRequests += one.requests;
      }
      const two = await Promise.all([first, second].map((server) => closedLoop(server.origin, request, half, load.seconds, warmUp)));
      rounds.push({ one: one.requestsPerSecond, two: two[0].requestsPerSecond + two[1].requestsPerSecond });
    }
    const database = await databaseTimePerRequest(first.origin, request, databaseUrl);
    return {
      oneInstance: median(rounds.map((round) => round.one)),
      twoInstances: median(rounds.map((round) => round.two)),
      rounds,
      databaseMsPerRequest: database?.ms ?? null,
      statementsPerRequest: database?.statements ?? null,
      gatewayCpuMsPerRequest: oneInstanceRequests > 0 ? oneInstanceCpuMs / oneInstanceRequests : null,
    };
  } finally {
    await second.stop();
  }
}
