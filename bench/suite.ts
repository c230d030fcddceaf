import { measureTokenCheck } from './token-figures';
import 'reflect-metadata';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { formatSuiteTable, writeBenchmarksMarkdown, type SuiteResults } from './benchmarks-markdown';
import { measureExport } from './export';
import { fullFixture, quickFixture } from './fixture';
import { benchCostBudget, measureCostAnalysisOverhead, measureNoisyNeighbour, type CostAnalysisOverhead, type CostFigures } from './cost-figures';
import { measureHttpWorkload, type HttpWorkloadResult, type LoadSettings } from './http-measure';
import { graphQL, httpWorkloads, pageQuery, type WorkloadOrigins } from './http-workloads';
import { machineNodeBinary, servingNodeBinary, startGatewayProcess, startPortPrintingServer, type ServerProcess } from './processes';
import { createSuiteDatabase, type SuiteDatabase } from './suite-database';
import { measureInstanceScaling } from './instances';

/**
 * `npm run bench [-- --quick]`: the gateway against the raw-SQL ceiling (bench/references) and
 * PostGraphile 5 (bench/postgraphile), over one deterministic data set, in one run; ratios, not
 * absolute figures, are what carries between machines. `--quick` runs every workload briefly on
 * a small data set, to prove in CI that the suite runs and its answers agree, not to measure.
 * Writes bench/results/suite.json and BENCHMARKS.md (not in quick mode).
 */
const isQuick = process.argv.includes('--quick');
const runFile = promisify(execFile);
const benchDir = __dirname;
const resultsPath = path.join(benchDir, 'results', isQuick ? 'suite-quick.json' : 'suite.json');
const load: LoadSettings = isQuick
  ? { connections: 10, seconds: 1, warmUpSeconds: 0.5, rounds: 1, openLoopSeconds: 1, statementSampleCount: 20 }
  : { connections: 10, seconds: 10, warmUpSeconds: 2, rounds: 3, openLoopSeconds: 5, statementSampleCount: 100 };

/** bench/event-stream.ts's sizes: the full run measures the issue's 5k subscribers at 5 events/s. */
const eventStreamSize: Record<string, string> = isQuick
  ? { BENCH_SUBSCRIBERS: '100', BENCH_LOAD_SUBSCRIBERS: '200', BENCH_LOAD_CLIENT_PROCESSES: '1', BENCH_WEBHOOK_CONVERSATIONS: '20' }
  : { BENCH_SUBSCRIBERS: '1000', BENCH_LOAD_SUBSCRIBERS: '5000', BENCH_LOAD_CLIENT_PROCESSES: '2' };

async function ensurePostGraphileInstalled(): Promise<boolean> {
  const directory = path.join(benchDir, 'postgraphile');
  if (existsSync(path.join(directory, 'node_modules', 'postgraphile'))) return true;
  process.stdout.write('installing PostGraphile for the peer (bench/postgraphile, once)…\n');
  try {
    await runFile('npm', ['ci', '--no-audit', '--no-fund', '--prefix', directory], { maxBuffer: 1 << 24 });
    return true;
  } catch (error) {
    process.stderr.write(`PostGraphile could not be installed, the peer is left out: ${(error as Error).message.split('\n')[0]}\n`);
    return false;
  }
}

/** Runs a bench script in its own process and returns the JSON it wrote. */
async function runScript(script: string, nodeArgs: readonly string[], environment: Record<string, string>, resultFile: string): Promise<any> {
  const child = spawn(servingNodeBinary(), [...nodeArgs, '-r', 'ts-node/register/transpile-only', path.join(benchDir, script)], {
    cwd: path.resolve(benchDir, '..'),
    env: { ...process.env, ...environment },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(await readFile(path.join(benchDir, 'results', resultFile), 'utf8'));
}

const versionOf = (binary: string) => execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();

async function newestConversationWithMessages(databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`select c.id from conversations c where exists (select 1 from messages m where m.conversation_id = c.id) order by c.created_at desc, c.id desc limit 1`);
    return rows[0].id;
  } finally {
    await client.end();
  }
}

/** The most expensive read the neighbour's default budget allows: MAX_QUERY_COST's 2,000 at most, checked below. */
const neighbourQuery = `query Heavy { conversations(first: 99) { totalCount nodes { id subject tags customer { name email }
  messages(first: 17) { totalCount nodes { id body authorType createdAt } } } } }`;

/** Cost analysis on against off for the page of 50, then the page's p99 next to a noisy neighbour. */
async function measureCostFigures(origin: string, environment: Record<string, string>, database: SuiteDatabase, page: HttpWorkloadResult): Promise<CostFigures> {
  const pageRequest = graphQL(database.adminSecret, pageQuery, { first: 50 });
  process.stdout.write('page of 50, cost analysis on and off…\n');
  // A fresh pair: the suite's gateway has just served every workload; against a fresh one it measured 0.73×, a fresh pair 1.06×.
  const withCostAnalysis = await startGatewayProcess(environment);
  const withoutCostAnalysis = await startGatewayProcess({ ...environment, COST_ANALYSIS: 'false' });
  let overhead: CostAnalysisOverhead;
  try {
    overhead = await measureCostAnalysisOverhead(withCostAnalysis.origin, withoutCostAnalysis.origin, pageRequest, load);
  } finally {
    await withCostAnalysis.stop();
    await withoutCostAnalysis.stop();
  }

  process.stdout.write('page of 50 next to a noisy neighbour…\n');
  const neighbourRequest = graphQL(database.neighbourSecret, neighbourQuery, {});
  const probe = await fetch(`${origin}/graphql`, { method: 'POST', headers: neighbourRequest.headers, body: neighbourRequest.body });
  const { extensions, errors } = (await probe.json()) as { extensions: { cost: { requestedQueryCost: number } }; errors?: unknown };
  const neighbourCost = extensions.cost.requestedQueryCost;
  if (errors || neighbourCost > 2000 || neighbourCost < 1900) throw new Error(`the neighbour's query should cost just under 2,000 points: ${neighbourCost}, ${JSON.stringify(errors)?.slice(0, 300)}`);
  // The rate the page's open loop already ran at in the HTTP workloads: half the slowest contender's throughput.
  const rate = page.contenders.gateway!.openLoop.ratePerSecond;
  const noisyNeighbour = await measureNoisyNeighbour(origin, pageRequest, neighbourRequest, neighbourCost, rate, load);
  return { overhead, noisyNeighbour };
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const withPeer = await ensurePostGraphileInstalled();
  const fixture = isQuick ? quickFixture : fullFixture;
  const database = await createSuiteDatabase(process.env.DATABASE_URL, fixture);
  process.stdout.write(`data set loaded in ${(database.fixtureMs / 1000).toFixed(1)} s: ${JSON.stringify(database.rowCounts)}\n`);
  const servers: ServerProcess[] = [];
  try {
    // One workspace serves every workload here: its budget is lifted, so that each key's own budget is what holds it back.
    const gatewayEnvironment = { ...database.environment, WORKSPACE_COST_BUDGET: benchCostBudget };
    const gateway = await startGatewayProcess(gatewayEnvironment);
    servers.push(gateway);
    // The reads again on the machine's own Node, where it is another version.
    const servingNode = versionOf(servingNodeBinary());
    const machineNode = versionOf(machineNodeBinary()) === servingNode ? null : machineNodeBinary();
    const gatewayMachineNode = machineNode ? await startGatewayProcess(gatewayEnvironment, machineNode) : null;
    if (gatewayMachineNode) servers.push(gatewayMachineNode);
    const raw = await startPortPrintingServer('raw', ['-r', 'ts-node/register/transpile-only', 'bench/references/raw-http-server.ts'], { DATABASE_URL: database.url });
    servers.push(raw);
    const peer = withPeer ? await startPortPrintingServer('postgraphile', ['bench/postgraphile/peer.mjs'], { DATABASE_URL: database.url }) : null;
    if (peer) servers.push(peer);
    const origins: WorkloadOrigins = { gateway: gateway.origin, gatewayMachineNode: gatewayMachineNode?.origin ?? null, raw: raw.origin, postgraphile: peer?.origin ?? null, adminSecret: database.adminSecret, workspaceId: database.workspaceId };

    // Before the creations below: they put the newest conversations, the page's, without customer or messages.
    process.stdout.write('page of 50 from one gateway process, then from two…\n');
    const instances = await measureInstanceScaling(gateway, gatewayEnvironment, graphQL(database.adminSecret, pageQuery, { first: 50 }), load, database.url);
    const http = [];
    for (const workload of httpWorkloads(origins, await newestConversationWithMessages(database.url))) {
      process.stdout.write(`${workload.name}…\n`);
      http.push(await measureHttpWorkload(workload, origins, load, { statements: database.statements, databaseUrl: database.url }));
    }
    const cost = await measureCostFigures(gateway.origin, gatewayEnvironment, database, http[0]);
    process.stdout.write('client token check…\n');
    const tokens = await measureTokenCheck(gateway.origin, database.adminSecret, load);
    // Last, while the suite's gateway still runs: the only process running export jobs on this database, and idle.
    process.stdout.write('export: conversations with customer email to gzip JSONL, raw COPY against the gateway…\n');
    const exportFigures = await measureExport(gateway, database.url, database.workspaceId, database.adminSecret);
    for (const server of servers.splice(0)) await server.stop();

    process.stdout.write('analytics (bench/analytics.ts)…\n');
    const analytics = await runScript('analytics.ts', [], {
      BENCH_ANALYTICS_DATABASE_URL: database.url, BENCH_ANALYTICS_DATA_DIR: database.environment.DATA_DIR, BENCH_ANALYTICS_PEPPER: database.environment.API_KEY_PEPPER,
      ...(isQuick ? { BENCH_QUICK: '1' } : {}),
    }, 'analytics.json');
    process.stdout.write('event stream (bench/event-stream.ts)…\n');
    const events = await runScript('event-stream.ts', ['--expose-gc'], { DATABASE_URL: database.serverUrl, ...eventStreamSize }, 'event-stream.json');

    const results: SuiteResults = {
      measuredAt: new Date().toISOString(),
      command: `npm run bench${isQuick ? ' -- --quick' : ''}`,
      isQuick,
      environment: { node: `${servingNode} (every server)${machineNode ? `; gateway-machine-node ${versionOf(machineNode)}` : ''}`, cpu: os.cpus()[0]?.model ?? 'unknown', cpuCount: os.cpus().length, postgres: database.serverVersion, database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded' },
      dataSet: { ...database.rowCounts, loadSeconds: database.fixtureMs / 1000 },
      load,
      http,
      instances,
      cost,
      tokens,
      export: exportFigures,
      analytics,
      events,
      durationSeconds: (performance.now() - startedAt) / 1000,
    };
    await mkdir(path.dirname(resultsPath), { recursive: true });
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    if (!isQuick) await writeBenchmarksMarkdown(path.resolve(benchDir, '..', 'BENCHMARKS.md'), results);
    process.stdout.write(`\n${formatSuiteTable(results)}\n\nwritten to ${path.relative(process.cwd(), resultsPath)}${isQuick ? '' : ' and BENCHMARKS.md'} in ${results.durationSeconds.toFixed(0)} s\n`);
  } finally {
    for (const server of servers) await server.stop();
    await database.drop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
