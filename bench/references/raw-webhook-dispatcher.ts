import http from 'node:http';
import { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import { serveCommands } from '../event-stream-ipc';

/**
 * The ceiling for "webhook deliveries to a local receiver": the gateway dispatcher's work with
 * nothing around it. Endpoints, deliveries and attempts are rows, as in the gateway
 * (src/modules/webhooks), but in tables of its own (`raw_webhook_*`, created by `start`) over the
 * same `events` log, so the two never take each other's work and can be given the same backlog.
 * One loop, one statement each:
 *
 * 1. fan-out: every enabled endpoint's new events become pending deliveries and its cursor
 *    moves (the gateway's delivery-fanout, for all endpoints at once);
 * 2. claim: due deliveries are leased with SKIP LOCKED, at most `maxInFlightPerEndpoint` per
 *    endpoint in flight and `maxInFlight` in all, with the event to send;
 * 3. POST, signed with `standardwebhooks`, over a keep-alive agent per endpoint;
 * 4. record: every finished attempt of the pass is logged and its delivery settled (succeeded,
 *    retried on the schedule, or failed) in one statement.
 *
 * It loops at once while there is work and polls every `pollIntervalMs` when idle. No SSRF
 * guard, no secret encryption, no endpoint disabling: a reference, not a product. Child process of
 * bench/event-stream.ts.
 */
export type RawDispatcherCommand =
  | { readonly cmd: 'start'; readonly databaseUrl: string; readonly pollIntervalMs: number; readonly timeoutMs: number; readonly retryScheduleMs: readonly number[] }
  | { readonly cmd: 'close' };

/** Attempts in flight at most, in all (as the gateway's dispatcher) and per endpoint; `start` answers them. */
export interface RawDispatcherLimits {
  readonly maxInFlight: number;
  readonly maxInFlightPerEndpoint: number;
}

const maxInFlight = 64;
const maxInFlightPerEndpoint = 32;
const fanOutEventsPerEndpoint = 5_000;

const schema = /* SQL */ `
  create table if not exists raw_webhook_endpoints (
    id text primary key, workspace_id uuid not null, url text not null, event_types text[] null, secret text not null,
    is_enabled boolean not null, enqueued_through_sequence bigint not null);
  create table if not exists raw_webhook_deliveries (
    id bigserial primary key, endpoint_id text not null references raw_webhook_endpoints (id) on delete cascade,
    event_id text not null, event_sequence bigint not null, status text not null default 'pending',
    attempt_count int not null default 0, next_attempt_at timestamptz null default now(), leased_until timestamptz null,
    unique (endpoint_id, event_id));
  create index if not exists raw_webhook_deliveries_due_index on raw_webhook_deliveries (endpoint_id, next_attempt_at, event_sequence) where status = 'pending';
  create table if not exists raw_webhook_attempts (
    delivery_id bigint not null, attempt_number int not null, started_at timestamptz not null, duration_ms int not null,
    status_code int null, error text null);`;

const fanOutStatement = /* SQL */ `
  with due as (
    select e.id, e.workspace_id, e.event_types, e.enqueued_through_sequence as after,
           least(w.event_sequence, e.enqueued_through_sequence + ${fanOutEventsPerEndpoint}) as up_to
    from raw_webhook_endpoints e join workspaces w on w.id = e.workspace_id
    where e.is_enabled and e.enqueued_through_sequence < w.event_sequence
    for update of e skip locked),
  inserted as (
    insert into raw_webhook_deliveries (endpoint_id, event_id, event_sequence)
    select due.id, ev.id, ev.sequence from due join events ev on ev.workspace_id = due.workspace_id and ev.sequence > due.after and ev.sequence <= due.up_to
    where due.event_types is null or ev.type = any(due.event_types)
    on conflict do nothing)
  update raw_webhook_endpoints e set enqueued_through_sequence = due.up_to from due where e.id = due.id`;

/** $1 lease ms, $2 { endpointId: in flight here }, $3 free slots in all. */
const claimStatement = /* SQL */ `
  update raw_webhook_deliveries d set leased_until = now() + ($1 || ' milliseconds')::interval
  from raw_webhook_endpoints e, events ev
  where d.id in (
      select due.id from raw_webhook_endpoints e2 cross join lateral (
        select d2.id, d2.next_attempt_at, d2.event_sequence from raw_webhook_deliveries d2
        where d2.endpoint_id = e2.id and d2.status = 'pending' and d2.next_attempt_at <= now() and (d2.leased_until is null or d2.leased_until < now())
        order by d2.next_attempt_at, d2.event_sequence
        limit greatest(0, ${maxInFlightPerEndpoint} - coalesce(($2::jsonb ->> e2.id)::int, 0))
        for update of d2 skip locked) due
      where e2.is_enabled
      order by due.next_attempt_at, due.event_sequence
      limit $3)
    and e.id = d.endpoint_id and ev.id = d.event_id
  returning d.id, d.endpoint_id, d.attempt_count, e.url, e.secret, ev.id as event_id, ev.type, ev.occurred_at, ev.sequence, ev.data`;

const recordStatement = /* SQL */ `
  with outcome as (
    select * from unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::int[], $5::int[], $6::text[], $7::text[], $8::timestamptz[])
      as o(id, attempt_number, started_at, duration_ms, status_code, error, status, next_attempt_at)),
  logged as (
    insert into raw_webhook_attempts (delivery_id, attempt_number, started_at, duration_ms, status_code, error)
    select id, attempt_number, started_at, duration_ms, status_code, error from outcome)
  update raw_webhook_deliveries d set status = o.status, attempt_count = o.attempt_number, next_attempt_at = o.next_attempt_at, leased_until = null
  from outcome o where d.id = o.id`;

interface Claimed {
  readonly id: string;
  readonly endpoint_id: string;
  readonly attempt_count: number;
  readonly url: string;
  readonly secret: string;
  readonly event_id: string;
  readonly type: string;
  readonly occurred_at: Date;
  readonly sequence: string;
  readonly data: unknown;
}

interface Outcome {
  readonly id: string;
  readonly attemptNumber: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly status: 'succeeded' | 'pending' | 'failed';
  readonly nextAttemptAt: Date | null;
}

interface Settings {
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly retryScheduleMs: readonly number[];
}

let pool: Pool | undefined;
let settings: Settings;
let isStopped = false;
let running: Promise<void> = Promise.resolve();
let finished: Outcome[] = [];
let wake: () => void = () => {};
/** An attempt finished since the pass began: its outcome waits to be recorded and its slot to be filled. */
let hasFinishedAttempts = false;
const inFlightByEndpoint = new Map<string, number>();
const agentByEndpoint = new Map<string, http.Agent>();
const signerBySecret = new Map<string, Webhook>();
let inFlight = 0;

function post(delivery: Claimed): Promise<{ statusCode: number | null; error: string | null }> {
  const body = JSON.stringify({ id: delivery.event_id, type: delivery.type, occurredAt: new Date(delivery.occurred_at).toISOString(), sequence: Number(delivery.sequence), data: delivery.data });
  const signer = signerBySecret.get(delivery.secret) ?? signerBySecret.set(delivery.secret, new Webhook(delivery.secret)).get(delivery.secret)!;
  const timestamp = new Date();
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'webhook-id': delivery.event_id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signer.sign(delivery.event_id, timestamp, body),
  };
  let agent = agentByEndpoint.get(delivery.endpoint_id);
  if (!agent) agentByEndpoint.set(delivery.endpoint_id, (agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlightPerEndpoint })));
  return new Promise((resolve) => {
    const request = http.request(delivery.url, { method: 'POST', headers, agent, timeout: settings.timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve({ statusCode: response.statusCode ?? null, error: null }));
      response.on('error', (error) => resolve({ statusCode: response.statusCode ?? null, error: error.message }));
    });
    request.on('timeout', () => request.destroy(new Error(`timeout after ${settings.timeoutMs} ms`)));
    request.on('error', (error) => resolve({ statusCode: null, error: error.message }));
    request.end(body);
  });
}

async function attempt(delivery: Claimed): Promise<void> {
  const startedAt = new Date();
  const { statusCode, error } = await post(delivery);
  const attemptNumber = delivery.attempt_count + 1;
  const isSuccess = statusCode !== null && statusCode >= 200 && statusCode < 300;
  const retryDelayMs = settings.retryScheduleMs[attemptNumber];
  finished.push({
    id: delivery.id,
    attemptNumber,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    statusCode,
    error: error ?? (isSuccess ? null : `HTTP ${statusCode}`),
    status: isSuccess ? 'succeeded' : retryDelayMs === undefined ? 'failed' : 'pending',
    nextAttemptAt: isSuccess || retryDelayMs === undefined ? null : new Date(Date.now() + retryDelayMs),
  });
}

async function record(): Promise<number> {
  const outcomes = finished;
  if (outcomes.length === 0) return 0;
  finished = [];
  const column = <K extends keyof Outcome>(key: K) => outcomes.map((outcome) => outcome[key]);
  await pool!.query(recordStatement, [
    column('id'), column('attemptNumber'), column('startedAt'), column('durationMs'), column('statusCode'), column('error'), column('status'), column('nextAttemptAt'),
  ]);
  return outcomes.length;
}

async function claim(): Promise<number> {
  const free = maxInFlight - inFlight;
  if (free <= 0) return 0;
  // Long enough for an attempt and its bookkeeping, as the gateway's lease.
  const leaseMs = settings.timeoutMs * 2 + 5_000;
  const { rows } = await pool!.query<Claimed>(claimStatement, [String(leaseMs), JSON.stringify(Object.fromEntries(inFlightByEndpoint)), free]);
  for (const delivery of rows) {
    inFlight++;
    inFlightByEndpoint.set(delivery.endpoint_id, (inFlightByEndpoint.get(delivery.endpoint_id) ?? 0) + 1);
    void attempt(delivery).finally(() => {
      inFlight--;
      const left = inFlightByEndpoint.get(delivery.endpoint_id)! - 1;
      if (left > 0) inFlightByEndpoint.set(delivery.endpoint_id, left);
      else inFlightByEndpoint.delete(delivery.endpoint_id);
      hasFinishedAttempts = true;
      wake();
    });
  }
  return rows.length;
}

async function run(): Promise<void> {
  while (!isStopped) {
    let didWork = false;
    hasFinishedAttempts = false;
    try {
      // Independent statements on their own connections: a pass costs one round trip, not three.
      const [recorded, fannedOut, claimed] = await Promise.all([record(), pool!.query(fanOutStatement), claim()]);
      didWork = recorded + (fannedOut.rowCount ?? 0) + claimed > 0;
    } catch (error) {
      process.stderr.write(`raw-webhook-dispatcher: pass failed, the next one retries: ${String(error)}\n`);
    }
    if (hasFinishedAttempts || (didWork && inFlight < maxInFlight)) continue;
    // All slots taken: go again as soon as an attempt finishes; idle: poll.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, settings.pollIntervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

async function start(databaseUrl: string, startSettings: Settings): Promise<RawDispatcherLimits> {
  settings = startSettings;
  pool = new Pool({ connectionString: databaseUrl, max: 3 });
  await pool.query(schema);
  running = run();
  return { maxInFlight, maxInFlightPerEndpoint };
}

async function close(): Promise<null> {
  isStopped = true;
  wake();
  await running;
  for (const agent of agentByEndpoint.values()) agent.destroy();
  await record().catch(() => 0);
  await pool?.end();
  return null;
}

serveCommands<RawDispatcherCommand>(async (command) => {
  switch (command.cmd) {
    case 'start':
      return start(command.databaseUrl, command);
    case 'close':
      return close();
  }
});
