import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { loadConfig } from '../src/config/config';
import { SlaService } from '../src/modules/sla';
import { createLogger } from '../src/platform/observability/logger';
import { startGatewayApp } from '../src/server/gateway-app';

/**
 * `npm run bench:sla`: one SLA check over a seeded workspace whose conversations are all under
 * a business-hours policy. Times the first run (which settles the whole history) and the steady
 * runs after it (which find nothing new), and counts what the first recorded.
 *
 *   BENCH_CONVERSATIONS: how many demo conversations to seed (default 20,000).
 */
const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '../dist/main.js');
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const conversations = Number(process.env.BENCH_CONVERSATIONS ?? 20_000);
const steadyRuns = 5;
const resultsPath = path.resolve(__dirname, 'results/sla-check.json');

async function main(): Promise<void> {
  const name = `gw_bench_sla_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const environment = { DATABASE_URL: url.toString(), DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'gateway-bench-sla-')), API_KEY_PEPPER: randomBytes(24).toString('hex') };
  try {
    await run(process.execPath, [cliPath, 'seed', '--demo', '--conversations', String(conversations), '--json'], { env: { ...process.env, ...environment, LOG_LEVEL: 'warn' }, maxBuffer: 1 << 24 });
    const database = new Client({ connectionString: environment.DATABASE_URL });
    await database.connect();
    // Every priority under one policy in Berlin office hours, in place before the history began.
    const targets = Object.fromEntries(['low', 'normal', 'high', 'urgent'].map((priority) => [priority, { firstResponseMinutes: 240, nextResponseMinutes: 480, resolutionMinutes: 2880 }]));
    await database.query(
      `with calendar as (
         insert into business_calendars (id, workspace_id, name, time_zone, weekly_hours, holidays)
         select 'cal_bench', id, 'Office', 'Europe/Berlin', $1, '[]' from workspaces where slug = 'default' returning id, workspace_id)
       insert into sla_policies (id, workspace_id, name, position, targets, calendar_id, created_at)
       select 'sla_bench', workspace_id, 'Everything', 1, $2, id, '2000-01-01' from calendar`,
      [JSON.stringify([1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' }))), JSON.stringify(targets)],
    );
    const [{ open }] = (await database.query(`select count(*) filter (where status <> 'resolved')::int as open from conversations`)).rows;

    const config = loadConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SLA_CHECK_INTERVAL: '24h', ...environment });
    const gateway = await startGatewayApp(config, environment.DATABASE_URL, createLogger('silent'));
    try {
      const service = new SlaService();
      const timed = async () => {
        const startedAt = performance.now();
        const result = await service.check(gateway.orm);
        return { ...result, ms: performance.now() - startedAt };
      };
      const first = await timed();
      const steady = [];
      for (let index = 0; index < steadyRuns; index++) steady.push(await timed());
      const steadyMs = steady.map((result) => result.ms).sort((a, b) => a - b)[Math.floor(steadyRuns / 2)];
      const recorded = (await database.query(`select (select count(*) from sla_outcomes)::int as outcomes, (select count(*) from sla_business_durations)::int as durations`)).rows[0];
      const results = { conversations, open, firstRun: { ms: Math.round(first.ms), announced: first.announced, settled: first.settled }, steadyRunMedianMs: Math.round(steadyMs), steadySettled: steady.map((result) => result.settled), recorded };
      await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } finally {
      await gateway.close();
      await database.end();
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
