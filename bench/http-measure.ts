import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { createHttpClient } from './http-client';
import type { ContenderName, HttpContender, HttpWorkload, WorkloadOrigins } from './http-workloads';
import { raceRequest } from './http-workloads';
import { closedLoop, openLoop, type LoadFigures, type LoadRequest } from './load';
import type { StatementCounter } from './suite-database';
import { median } from './latency';

export interface LoadSettings {
  readonly connections: number;
  readonly seconds: number;
  /** Before each contender's first round only. */
  readonly warmUpSeconds: number;
  /** Closed-loop runs per contender, taken in turns (A B C A B C …); medians are reported. */
  readonly rounds: number;
  readonly openLoopSeconds: number;
  readonly statementSampleCount: number;
}

export interface ContenderFigures {
  /** Medians over the rounds. */
  readonly closedLoop: LoadFigures;
  readonly rounds: readonly LoadFigures[];
  readonly openLoop: LoadFigures & { readonly ratePerSecond: number };
  readonly statementsPerRequest: number | null;
}

export interface HttpWorkloadResult {
  readonly name: string;
  readonly target: string;
  readonly contenders: Partial<Record<ContenderName, ContenderFigures>>;
  /** Closed-loop throughput over the raw reference's, from this run. */
  readonly ratioToRaw: Partial<Record<ContenderName, number>>;
  readonly meetsTarget: boolean;
  readonly sameKeyRace?: Partial<Record<ContenderName, { readonly requests: number; readonly conversationsCreated: number; readonly distinctIdsAnswered: number }>>;
}


function originOf(name: ContenderName, origins: WorkloadOrigins): string {
  const origin = name === 'postgraphile' ? origins.postgraphile : name === 'gateway-machine-node' ? origins.gatewayMachineNode : origins[name];
  if (!origin) throw new Error(`${name} is not running`);
  return origin;
}

async function sendOnce(origin: string, request: LoadRequest): Promise<any> {
  const client = createHttpClient(120_000);
  try {
    const answer = await client.send(`${origin}${request.path}`, { method: request.method, headers: request.headers, body: request.vary?.() ?? request.body });
    const body = answer.status === 200 ? JSON.parse(answer.body) : undefined;
    if (!body?.data || body.errors) throw new Error(`answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    return body;
  } finally {
    client.close();
  }
}

/** Every contender must serve the same data, or the ratio compares different work. */
async function checkSameData(workload: HttpWorkload, origins: WorkloadOrigins): Promise<void> {
  const answers = await Promise.all(workload.contenders.map(async (contender) => ({ contender, data: contender.normalise(await sendOnce(originOf(contender.name, origins), contender.request)) })));
  const [first, ...others] = answers;
  for (const other of others) {
    if (!isDeepStrictEqual(other.data, first.data)) {
      throw new Error(`${workload.name}: ${other.contender.name} does not serve ${first.contender.name}'s data:\n${JSON.stringify(first.data).slice(0, 300)}\n${JSON.stringify(other.data).slice(0, 300)}`);
    }
  }
}

async function statementsPerRequest(contender: HttpContender, origin: string, counter: StatementCounter | null, count: number): Promise<number | null> {
  if (!counter) return null;
  const client = createHttpClient(120_000);
  try {
    await counter.reset();
    for (let index = 0; index < count; index++) {
      await client.send(`${origin}${contender.request.path}`, { method: contender.request.method, headers: contender.request.headers, body: contender.request.vary?.() ?? contender.request.body });
    }
    return (await counter.count()) / count;
  } finally {
    client.close();
  }
}

async function sameKeyRace(name: ContenderName, origins: WorkloadOrigins, databaseUrl: string, concurrency: number) {
  const subject = `Bench race ${name} ${Date.now()}`;
  const request = raceRequest(name, origins, subject);
  const bodies = await Promise.all(Array.from({ length: concurrency }, () => sendOnce(originOf(name, origins), request)));
  const ids = new Set(bodies.map((body) => body.data.conversationCreate.conversation.id));
  const database = new Client({ connectionString: databaseUrl });
  await database.connect();
  try {
    const { rows } = await database.query('select count(*)::int as count from conversations where subject = $1', [subject]);
    return { requests: concurrency, conversationsCreated: rows[0].count as number, distinctIdsAnswered: ids.size };
  } finally {
    await database.end();
  }
}

/** Same data, statements per request, closed-loop rounds in turns, then one open-loop run each at half the slowest's throughput. */
export async function measureHttpWorkload(
  workload: HttpWorkload,
  origins: WorkloadOrigins,
  settings: LoadSettings,
  context: { readonly statements: StatementCounter | null; readonly databaseUrl: string },
): Promise<HttpWorkloadResult> {
  if (workload.comparesData) await checkSameData(workload, origins);
  else for (const contender of workload.contenders) await sendOnce(originOf(contender.name, origins), contender.request);

  const statements = new Map<ContenderName, number | null>();
  for (const contender of workload.contenders) statements.set(contender.name, await statementsPerRequest(contender, originOf(contender.name, origins), context.statements, settings.statementSampleCount));

  const rounds = new Map<ContenderName, LoadFigures[]>(workload.contenders.map((contender) => [contender.name, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const contender of workload.contenders) {
      const figures = await closedLoop(originOf(contender.name, origins), contender.request, settings.connections, settings.seconds, round === 0 ? settings.warmUpSeconds : 0);
      if (figures.failures > 0) throw new Error(`${workload.name}: ${contender.name} failed ${figures.failures} of ${figures.requests} requests`);
      rounds.get(contender.name)!.push(figures);
    }
  }
  const closed = new Map(
    [...rounds].map(([name, runs]) => [
      name,
      {
        requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
        p50Ms: median(runs.map((run) => run.p50Ms)),
        p99Ms: median(runs.map((run) => run.p99Ms)),
        requests: runs.reduce((sum, run) => sum + run.requests, 0),
        failures: 0,
      },
    ]),
  );
  const rate = 0.5 * Math.min(...[...closed.values()].map((figures) => figures.requestsPerSecond));
  const contenders: Partial<Record<ContenderName, ContenderFigures>> = {};
  for (const contender of workload.contenders) {
    const open = await openLoop(originOf(contender.name, origins), contender.request, rate, settings.openLoopSeconds);
    contenders[contender.name] = { closedLoop: closed.get(contender.name)!, rounds: rounds.get(contender.name)!, openLoop: { ...open, ratePerSecond: rate }, statementsPerRequest: statements.get(contender.name)! };
  }

  const raw = closed.get('raw')!.requestsPerSecond;
  const ratioToRaw = Object.fromEntries([...closed].filter(([name]) => name !== 'raw').map(([name, figures]) => [name, figures.requestsPerSecond / raw]));
  const gatewayStatements = statements.get('gateway');
  const meetsStatements = workload.maximumStatements === null || (gatewayStatements !== null && gatewayStatements !== undefined && gatewayStatements <= workload.maximumStatements);
  let race: HttpWorkloadResult['sameKeyRace'];
  if (workload.checksSameKeyRace) {
    race = {};
    for (const contender of workload.contenders) race[contender.name] = await sameKeyRace(contender.name, origins, context.databaseUrl, 20);
  }
  const raceHolds = !race || Object.values(race).every((figures) => figures!.conversationsCreated === 1 && figures!.distinctIdsAnswered === 1);
  return { name: workload.name, target: workload.target, contenders, ratioToRaw, meetsTarget: (ratioToRaw.gateway ?? 0) >= workload.minimumRatio && meetsStatements && raceHolds, sameKeyRace: race };
}
