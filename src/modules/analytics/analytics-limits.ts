import { InputErrors } from '../../platform/validation';
import type { AnalyticsFilterInput, AnalyticsRangeInput } from './analytics.inputs';

export const analyticsLimits = {
  /** Ten years: any dashboard's "all time". */
  maxRangeDays: 3_660,
  /** Points a chart can use; 90 days by hour (2,160) is over it, 90 days by day far under. */
  maxSeriesBuckets: 1_500,
  defaultGroups: 10,
  maxGroups: 50,
  maxFilterValues: 100,
} as const;

const dayMs = 86_400_000;

export function isKnownTimeZone(timeZone: string): boolean {
  if (knownTimeZones.has(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return false;
  }
  if (knownTimeZones.size < maxKnownTimeZones) knownTimeZones.add(timeZone);
  return true;
}

/**
 * Zones found valid: building a DateTimeFormat cost ~0.4 ms of each analytics request. Bounded,
 * since Intl also accepts every upper and lower case spelling of a name.
 */
const knownTimeZones = new Set<string>();
const maxKnownTimeZones = 1_000;

/** Every problem with the common arguments, each at its path; throws BAD_USER_INPUT if any. */
export function checkAnalyticsArguments(args: { range: AnalyticsRangeInput; filter?: AnalyticsFilterInput | null; timeZone?: string; groupLimit?: number }): void {
  const errors = new InputErrors();
  const { from, to } = args.range;
  if (!(to.getTime() > from.getTime())) errors.add('range.to', 'Must be after range.from');
  else if (to.getTime() - from.getTime() > analyticsLimits.maxRangeDays * dayMs) errors.add('range.to', `A range spans at most ${analyticsLimits.maxRangeDays} days`);
  if (args.timeZone !== undefined && !isKnownTimeZone(args.timeZone)) errors.add('timeZone', `Unknown time zone "${args.timeZone}"; use an IANA name such as Europe/Berlin`);
  if (args.groupLimit !== undefined && (args.groupLimit < 1 || args.groupLimit > analyticsLimits.maxGroups)) errors.add('groupLimit', `Must be 1 to ${analyticsLimits.maxGroups}`);
  for (const [name, values] of Object.entries(args.filter ?? {})) {
    if (Array.isArray(values) && values.length > analyticsLimits.maxFilterValues) errors.add(`filter.${name}`, `At most ${analyticsLimits.maxFilterValues} values`);
  }
  errors.throwIfAny();
}
