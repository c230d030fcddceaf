import type { MikroORM } from '@mikro-orm/postgresql';
import type { PeriodicJob } from '../../platform/jobs/periodic-job';
import { recordEvent } from '../events';

export interface UsageSpikeSettings {
  readonly factor: number;
  readonly minRequests: number;
}

const windowMinutes = 5;
/** 5-minute windows in the day before the current one: the baseline averages over all of them, idle ones included. */
const baselineWindows = (24 * 60) / windowMinutes;

/**
 * Reports keys whose last 5 minutes of requests exceed `factor` times their average 5 minutes
 * over the day before (the abnormal-usage alert integrators ask for: a leaked key, a runaway
 * loop). A key younger than that day has no baseline and is never reported. Once reported, a key
 * is quiet for an hour, so one incident is one event. Counts come from the usage minutes the
 * gateway already records.
 */
export function usageSpikeJob(settings: UsageSpikeSettings): PeriodicJob {
  return {
    name: 'usage spikes',
    lockId: 4_216_001,
    intervalMs: 60_000,
    run: (orm) => reportUsageSpikes(orm, settings),
  };
}

export async function reportUsageSpikes(orm: MikroORM, settings: UsageSpikeSettings, now = new Date()): Promise<number> {
  return orm.em.fork().transactional(async (tx) => {
    const spikes = await tx.execute<{ workspace_id: string; api_key_id: string; name: string; requests: number; baseline: number; window_from: string; window_to: string }[]>(
      `with bounds as (select date_trunc('minute', ?::timestamptz) as window_to),
       recent as (
         select u.workspace_id, u.api_key_id, sum(u.requests)::int as requests from api_usage_minutes u, bounds
         where u.minute >= bounds.window_to - interval '${windowMinutes} minutes' and u.minute < bounds.window_to
         group by u.workspace_id, u.api_key_id having sum(u.requests) >= ?),
       baseline as (
         select u.workspace_id, u.api_key_id, sum(u.requests)::float8 / ${baselineWindows} as per_window from api_usage_minutes u, bounds
         where (u.workspace_id, u.api_key_id) in (select workspace_id, api_key_id from recent)
           and u.minute >= bounds.window_to - interval '1 day ${windowMinutes} minutes' and u.minute < bounds.window_to - interval '${windowMinutes} minutes'
         group by u.workspace_id, u.api_key_id)
       select r.workspace_id, r.api_key_id, k.name, r.requests, coalesce(b.per_window, 0) as baseline,
              bounds.window_to - interval '${windowMinutes} minutes' as window_from, bounds.window_to
       from recent r cross join bounds
       join api_keys k on k.id = r.api_key_id and k.workspace_id = r.workspace_id
       left join baseline b on b.workspace_id = r.workspace_id and b.api_key_id = r.api_key_id
       left join api_key_usage_alerts a on a.api_key_id = r.api_key_id
       where k.created_at <= bounds.window_to - interval '1 day ${windowMinutes} minutes'
         and r.requests > ? * coalesce(b.per_window, 0)
         and (a.alerted_at is null or a.alerted_at <= ?::timestamptz - interval '1 hour')`,
      [now, settings.minRequests, settings.factor, now],
    );
    for (const spike of spikes) {
      await tx.execute(
        `insert into api_key_usage_alerts (api_key_id, workspace_id, alerted_at) values (?, ?, ?) on conflict (api_key_id) do update set alerted_at = excluded.alerted_at`,
        [spike.api_key_id, spike.workspace_id, now],
      );
      await recordEvent(tx, spike.workspace_id, 'api_key.usage_spike', {
        apiKey: { id: spike.api_key_id, name: spike.name },
        window: { from: new Date(spike.window_from).toISOString(), to: new Date(spike.window_to).toISOString() },
        requestCount: spike.requests,
        baselineRequestCount: Math.round(spike.baseline * 100) / 100,
        factor: settings.factor,
      });
    }
    return spikes.length;
  });
}
