import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createHttpClient, askGraphQL, type HttpClient } from './http-client';
import type { ServerProcess } from './processes';

/**
 * The export workload: every conversation of the workspace with its customer's email, to
 * gzip JSONL, by the gateway's bulk export against a raw ceiling in the same run (PostgreSQL's
 * COPY of the same rows as JSON through Node's gzip). After one unrecorded raw pass that warms the
 * cache, runs raw, gateway, raw, gateway and reports medians, plus the gateway process's RSS
 * while its export runs.
 */

/** What the issue asks: at least half the ceiling's throughput, and at most 200 MB more RSS than at the start. */
export const exportTargets = { minimumRatio: 0.5, maximumRssGrowthMb: 200 } as const;

/** Raw, gateway, raw, gateway: each side twice, in turns, so that neither always runs on a warmer machine. */
const rounds = 2;
const pollMs = 100;
const rssSampleMs = 100;
/** A full-size export that takes longer than this is broken, not slow: fail the run rather than hang it. */
const exportTimeoutMs = 30 * 60_000;
const megabyte = 1024 * 1024;

const exportQuery = '{ conversations { edges { node { id subject status createdAt customer { email } } } } }';

export interface RawExportRun {
  readonly ms: number;
  readonly rowsPerSecond: number;
  /** Bytes after gzip. */
  readonly fileBytes: number;
}

export interface GatewayExportRun extends RawExportRun {
  readonly exportId: string;
  /** completedAt − startedAt as the job recorded them: the run itself, without queueing and polling. */
  readonly jobMs: number;
  /** The gateway process's VmRSS just before the create request and the most seen while the export ran; null without /proc. */
  readonly rssStartMb: number | null;
  readonly rssPeakMb: number | null;
}

export interface ExportFigures {
  readonly query: string;
  /** Conversations in the workspace: the rows both sides write. */
  readonly rows: number;
  readonly rounds: number;
  /** Medians over the rounds (with two rounds, the mean of the two); each run below. */
  readonly raw: { readonly ms: number; readonly rowsPerSecond: number; readonly fileBytes: number; readonly runs: readonly RawExportRun[] };
  readonly gateway: {
    readonly ms: number;
    readonly jobMs: number;
    readonly rowsPerSecond: number;
    readonly fileBytes: number;
    readonly rssStartMb: number | null;
    readonly rssPeakMb: number | null;
    readonly rssGrowthMb: number | null;
    /** The largest peak − start of any run: the limit holds for every export, so this is what is judged. */
    readonly worstRssGrowthMb: number | null;
    readonly runs: readonly GatewayExportRun[];
  };
  /** Gateway rows/s (create request to COMPLETED) over raw rows/s. */
  readonly ratio: number;
  readonly meetsThroughputTarget: boolean;
  /** Null when RSS could not be read (no /proc). */
  readonly meetsMemoryTarget: boolean | null;
  /** The correctness guard: lines in the gateway's first file, after gunzip, equal to the raw COPY's rows. */
  readonly downloadedLines: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const medianOrNull = (values: readonly (number | null)[]) => (values.some((value) => value === null) ? null : median(values as number[]));

/** A sink that only counts what reaches it, so the ceiling pays for no disk or memory. */
function byteCounter(): Writable & { bytes: number } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      sink.bytes += chunk.length;
      done();
    },
  }) as Writable & { bytes: number };
  sink.bytes = 0;
  return sink;
}

/**
 * The raw ceiling: PostgreSQL builds each line's JSON itself (the gateway's fields and order,
 * customer null when there is none) and COPY streams them out; Node gzips them at the default level.
 * COPY takes no bind parameters, hence the escaped literal.
 */
async function runRawExport(databaseUrl: string, workspaceId: string): Promise<RawExportRun & { rowCount: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const sql = `copy (select json_build_object('id', c.id, 'subject', c.subject, 'status', c.status, 'createdAt', c.created_at,
        'customer', case when cu.id is null then null else json_build_object('email', cu.email) end)
      from conversations c left join customers cu on cu.id = c.customer_id
      where c.workspace_id = ${client.escapeLiteral(workspaceId)} order by c.created_at desc, c.id desc) to stdout`;
    const counter = byteCounter();
    const startedAt = performance.now();
    const copy = client.query(copyTo(sql));
    await pipeline(copy, createGzip(), counter);
    const ms = performance.now() - startedAt;
    // The COPY's command tag: the rows it wrote, which is also the lines it wrote (JSON escapes newlines).
    return { ms, rowsPerSecond: (copy.rowCount / ms) * 1000, fileBytes: counter.bytes, rowCount: copy.rowCount };
  } finally {
    await client.end();
  }
}

/** VmRSS of a process in MB, from /proc/<pid>/status; null where there is no /proc (or the process is gone). */
async function readRssMb(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every 100 ms until stopped; the peak includes a last sample taken on stop. */
function sampleRss(pid: number) {
  let peak: number | null = null;
  const take = async () => {
    const rss = await readRssMb(pid);
    if (rss !== null) peak = Math.max(peak ?? 0, rss);
  };
  let pending = take();
  const timer = setInterval(() => {
    pending = pending.then(take);
  }, rssSampleMs);
  return {
    async stop(): Promise<number | null> {
      clearInterval(timer);
      await pending.then(take);
      return peak;
    },
  };
}

interface BulkExportState {
  readonly status: string;
  readonly objectCount: number;
  readonly fileSize: number;
  readonly url: string | null;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

/** Polls bulkExport(id) every 100 ms until it ends; anything but COMPLETED fails the run with the job's own reason. */
async function waitForCompletion(client: HttpClient, graphqlUrl: string, secret: string, id: string): Promise<BulkExportState> {
  const deadline = Date.now() + exportTimeoutMs;
  for (;;) {
    const data = await askGraphQL(client, graphqlUrl, secret, 'query Export($id: ID!) { bulkExport(id: $id) { status objectCount fileSize url startedAt completedAt errorCode errorMessage } }', { id });
    const state = data.bulkExport as BulkExportState;
    if (state.status === 'COMPLETED') return state;
    if (state.status !== 'CREATED' && state.status !== 'RUNNING') {
      throw new Error(`bulk export ${id} ended ${state.status}: ${state.errorCode ?? ''} ${state.errorMessage ?? ''} (${state.objectCount} objects written)`);
    }
    if (Date.now() > deadline) throw new Error(`bulk export ${id} still ${state.status} after ${exportTimeoutMs / 60_000} min (${state.objectCount} objects written)`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** One export by the gateway, timed from the create request to the poll that sees it COMPLETED, its RSS sampled meanwhile. */
async function runGatewayExport(gateway: ServerProcess, adminSecret: string, rows: number): Promise<GatewayExportRun & { url: string }> {
  const client = createHttpClient(30_000);
  const graphqlUrl = `${gateway.origin}/graphql`;
  try {
    const rssStartMb = await readRssMb(gateway.pid);
    const rss = sampleRss(gateway.pid);
    let rssPeakMb: number | null;
    let exportId: string;
    let state: BulkExportState;
    let ms: number;
    try {
      const startedAt = performance.now();
      const created = await askGraphQL(client, graphqlUrl, adminSecret, 'mutation Create($query: String!) { bulkExportCreate(input: { query: $query, format: JSONL, compression: GZIP }) { bulkExport { id status } } }', { query: exportQuery });
      exportId = created.bulkExportCreate.bulkExport.id;
      state = await waitForCompletion(client, graphqlUrl, adminSecret, exportId);
      ms = performance.now() - startedAt;
    } finally {
      // Stopped whether it completed or not, so a failed run leaves no timer behind.
      rssPeakMb = await rss.stop();
    }
    if (state.objectCount !== rows) throw new Error(`bulk export ${exportId} wrote ${state.objectCount} objects, the workspace has ${rows} conversations`);
    if (!state.url || !state.startedAt || !state.completedAt) throw new Error(`bulk export ${exportId} COMPLETED without url, startedAt or completedAt: ${JSON.stringify(state)}`);
    return {
      exportId, ms, rowsPerSecond: (rows / ms) * 1000, fileBytes: state.fileSize, url: state.url,
      jobMs: Date.parse(state.completedAt) - Date.parse(state.startedAt), rssStartMb, rssPeakMb,
    };
  } finally {
    client.close();
  }
}

/**
 * Downloads an export's file and counts its lines after gunzip (and its bytes, against fileSize).
 * node:http rather than fetch, which would undo a Content-Encoding on its own. The link's origin is
 * PUBLIC_URL when the environment sets one, which need not reach this gateway: its path and
 * signature are what matter, so they are asked of the gateway's own origin.
 */
async function countDownloadedLines(gateway: ServerProcess, url: string): Promise<{ lines: number; bytes: number }> {
  const signed = new URL(url);
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${gateway.origin}${signed.pathname}${signed.search}`, resolve).on('error', reject));
  if (response.statusCode !== 200) {
    response.resume();
    throw new Error(`downloading the export answered ${response.statusCode}`);
  }
  let bytes = 0;
  let lines = 0;
  const countBytes = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const countLines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
      done();
    },
  });
  await pipeline(response, countBytes, createGunzip(), countLines);
  return { lines, bytes };
}

async function countConversations(databaseUrl: string, workspaceId: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('select count(*)::int as count from conversations where workspace_id = $1', [workspaceId]);
    return rows[0].count as number;
  } finally {
    await client.end();
  }
}

const mb = (value: number | null) => (value === null ? '–' : `${value.toFixed(0)} MB`);

/**
 * The export workload against the running suite gateway (it must be the only process running
 * export jobs on this database, and idle). Throws when a side writes the wrong number of rows.
 */
export async function measureExport(gateway: ServerProcess, databaseUrl: string, workspaceId: string, adminSecret: string): Promise<ExportFigures> {
  const rows = await countConversations(databaseUrl, workspaceId);
  const rawRuns: RawExportRun[] = [];
  const gatewayRuns: GatewayExportRun[] = [];
  let downloadedLines: number | null = null;
  // Unrecorded: the first pass over a million rows reads them from disk, and would be charged to
  // whichever side ran first (raw, in every round's order).
  await runRawExport(databaseUrl, workspaceId);
  for (let round = 0; round < rounds; round++) {
    const { rowCount, ...raw } = await runRawExport(databaseUrl, workspaceId);
    if (rowCount !== rows) throw new Error(`the raw COPY wrote ${rowCount} rows, the workspace has ${rows} conversations`);
    rawRuns.push(raw);
    process.stdout.write(`  raw COPY + gzip: ${(raw.ms / 1000).toFixed(2)} s, ${raw.rowsPerSecond.toFixed(0)} rows/s, ${raw.fileBytes.toLocaleString('en')} bytes\n`);

    const { url, ...run } = await runGatewayExport(gateway, adminSecret, rows);
    gatewayRuns.push(run);
    process.stdout.write(
      `  gateway export: ${(run.ms / 1000).toFixed(2)} s (job ${(run.jobMs / 1000).toFixed(2)} s), ${run.rowsPerSecond.toFixed(0)} rows/s, ${run.fileBytes.toLocaleString('en')} bytes, ` +
        `RSS ${mb(run.rssStartMb)} → peak ${mb(run.rssPeakMb)}\n`,
    );
    // Once, outside the timings: the file must hold exactly the rows the raw COPY wrote.
    if (downloadedLines === null) {
      const download = await countDownloadedLines(gateway, url);
      if (download.bytes !== run.fileBytes) throw new Error(`the export's file downloaded as ${download.bytes} bytes, fileSize says ${run.fileBytes}`);
      if (download.lines !== rowCount) throw new Error(`the export's file gunzips to ${download.lines} lines, the raw COPY wrote ${rowCount}`);
      downloadedLines = download.lines;
    }
  }

  const growth = gatewayRuns.map((run) => (run.rssStartMb === null || run.rssPeakMb === null ? null : run.rssPeakMb - run.rssStartMb));
  const worstRssGrowthMb = growth.some((value) => value === null) ? null : Math.max(...(growth as number[]));
  const raw = { ms: median(rawRuns.map((run) => run.ms)), rowsPerSecond: median(rawRuns.map((run) => run.rowsPerSecond)), fileBytes: median(rawRuns.map((run) => run.fileBytes)), runs: rawRuns };
  const gatewayFigures = {
    ms: median(gatewayRuns.map((run) => run.ms)),
    jobMs: median(gatewayRuns.map((run) => run.jobMs)),
    rowsPerSecond: median(gatewayRuns.map((run) => run.rowsPerSecond)),
    fileBytes: median(gatewayRuns.map((run) => run.fileBytes)),
    rssStartMb: medianOrNull(gatewayRuns.map((run) => run.rssStartMb)),
    rssPeakMb: medianOrNull(gatewayRuns.map((run) => run.rssPeakMb)),
    rssGrowthMb: medianOrNull(growth),
    worstRssGrowthMb,
    runs: gatewayRuns,
  };
  const ratio = gatewayFigures.rowsPerSecond / raw.rowsPerSecond;
  return {
    query: exportQuery,
    rows,
    rounds,
    raw,
    gateway: gatewayFigures,
    ratio,
    meetsThroughputTarget: ratio >= exportTargets.minimumRatio,
    meetsMemoryTarget: worstRssGrowthMb === null ? null : worstRssGrowthMb <= exportTargets.maximumRssGrowthMb,
    downloadedLines: downloadedLines!,
  };
}
