import type { PeriodicJob } from '../../platform/jobs/periodic-job';
import type { SlaService } from './sla.service';

/** The SLA check on a timer, one instance at a time: breaches are announced when they happen, not when something is next written. */
export function slaCheckJob(service: SlaService, intervalMs: number): PeriodicJob {
  const run: PeriodicJob['run'] = async (orm) => {
    const { announced, settled } = await service.check(orm);
    return announced + settled;
  };
  return { name: 'sla check', lockId: 4_317_001, intervalMs, run };
}
