/** A workspace's business hours: an IANA zone, opening hours per ISO weekday (1 = Monday), and closed dates. */
export interface BusinessCalendarSpec {
  readonly timeZone: string;
  readonly weeklyHours: readonly { readonly day: number; readonly opens: string; readonly closes: string }[];
  /** Local dates `YYYY-MM-DD` on which nothing is open. */
  readonly holidays: readonly string[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const maxDaysSearched = 3 * 366;

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const quarterHourMs = 15 * 60_000;
/** Offsets by zone and quarter hour; cleared when it grows past this, so a long-running process stays bounded. */
const maxCachedOffsets = 100_000;
const offsets = new Map<string, number>();

/**
 * The zone's offset from UTC at an instant, in milliseconds (local − UTC), whole seconds. Offset
 * changes fall on quarter hours of UTC (in every zone since the 1970s), so the offset is read once
 * per zone and quarter hour: formatting a date in a zone costs microseconds, and a check computes
 * thousands of due times (profiled: most of an SLA check's CPU before this cache).
 */
function offsetAt(instant: number, timeZone: string): number {
  const slot = Math.floor(instant / quarterHourMs);
  const key = `${timeZone}|${slot}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const at = slot * quarterHourMs;
    const parts = Object.fromEntries(formatterOf(timeZone).formatToParts(new Date(at)).map((part) => [part.type, Number(part.value)]));
    offset = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - at;
    if (offsets.size >= maxCachedOffsets) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** The zone's local date at an instant. */
function localDateAt(instant: number, timeZone: string): { year: number; month: number; day: number } {
  const local = new Date(instant + offsetAt(instant, timeZone));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/**
 * The instant a wall-clock time of a local date happens in the zone. The offset is taken at the
 * guess and checked once more, which settles it on both sides of a DST change; a time inside a
 * spring-forward gap comes out shifted by the gap, as clocks do.
 */
export function zonedTimeToInstant(year: number, month: number, day: number, minutesOfDay: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, 0, minutesOfDay);
  const first = asUtc - offsetAt(asUtc, timeZone);
  const second = asUtc - offsetAt(first, timeZone);
  return second;
}

const minutesOf = (time: string) => {
  const [hours, minutes] = time.split(':').map(Number);
  return hours * 60 + minutes;
};

/** The calendar's open intervals `[opens, closes)` in instants, day by day from the local date of `start`, for `days` days. */
function* openIntervalsFrom(start: number, calendar: BusinessCalendarSpec, days: number): Generator<readonly [number, number]> {
  const local = localDateAt(start, calendar.timeZone);
  const holidays = new Set(calendar.holidays);
  for (let offset = 0; offset < days; offset++) {
    const date = new Date(Date.UTC(local.year, local.month - 1, local.day + offset));
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (holidays.has(date.toISOString().slice(0, 10))) continue;
    const weekday = ((date.getUTCDay() + 6) % 7) + 1;
    const intervals = calendar.weeklyHours.filter((hours) => hours.day === weekday).sort((a, b) => minutesOf(a.opens) - minutesOf(b.opens));
    for (const hours of intervals) {
      yield [zonedTimeToInstant(year, month, day, minutesOf(hours.opens), calendar.timeZone), zonedTimeToInstant(year, month, day, minutesOf(hours.closes), calendar.timeZone)];
    }
  }
}

/** A stretch of time the clock stops in (a conversation waiting in PENDING); `until` null: it goes on. */
export interface Pause {
  readonly from: Date;
  readonly until: Date | null;
}

/** `intervals` without the paused time; both ascending. */
function* withoutPauses(intervals: Iterable<readonly [number, number]>, pauses: readonly Pause[]): Generator<readonly [number, number]> {
  const spans = pauses.map((pause) => [pause.from.getTime(), pause.until?.getTime() ?? Infinity] as const);
  for (const [opens, closes] of intervals) {
    let cursor = opens;
    for (const [from, until] of spans) {
      if (until <= cursor || from >= closes) continue;
      if (from > cursor) yield [cursor, from];
      cursor = Math.max(cursor, until);
      if (cursor >= closes) break;
    }
    if (cursor < closes) yield [cursor, closes];
  }
}

/**
 * `start` plus `minutes` of open time: time outside the calendar's hours, on closed weekdays, on
 * holidays and inside `pauses` does not count. Exact across DST changes, since every opening and
 * closing is the instant of its local wall-clock time on its own date. Without a calendar, every
 * minute outside the pauses counts. Null when a pause that goes on stops the clock first.
 */
export function addOpenMinutes(start: Date, minutes: number, calendar: BusinessCalendarSpec | null, pauses: readonly Pause[]): Date | null {
  let remaining = minutes * 60_000;
  const intervals = calendar ? openIntervalsFrom(start.getTime(), calendar, maxDaysSearched) : [[start.getTime(), Infinity] as const];
  for (const [opens, closes] of withoutPauses(intervals, pauses)) {
    const from = Math.max(opens, start.getTime());
    if (from >= closes) continue;
    if (remaining <= closes - from) return new Date(from + remaining);
    remaining -= closes - from;
  }
  if (pauses.some((pause) => pause.until === null)) return null;
  throw new Error(`No business hours within ${maxDaysSearched} days of ${start.toISOString()}`);
}

/** addOpenMinutes without pauses: always a time. */
export function addBusinessMinutes(start: Date, minutes: number, calendar: BusinessCalendarSpec | null): Date {
  return addOpenMinutes(start, minutes, calendar, [])!;
}

/**
 * The open time between `start` and `end` in milliseconds, counted as addBusinessMinutes counts
 * it (so `businessMillisBetween(s, addBusinessMinutes(s, m))` is m minutes); without a calendar,
 * the plain difference. Zero when `end` is not after `start`.
 */
export function businessMillisBetween(start: Date, end: Date, calendar: BusinessCalendarSpec | null): number {
  const [from, to] = [start.getTime(), end.getTime()];
  if (to <= from) return 0;
  if (!calendar) return to - from;
  let total = 0;
  // Every local date from start's to end's, plus one for zones ahead of UTC.
  for (const [opens, closes] of openIntervalsFrom(from, calendar, Math.ceil((to - from) / 86_400_000) + 2)) {
    if (opens >= to) break;
    total += Math.max(0, Math.min(closes, to) - Math.max(opens, from));
  }
  return total;
}

/** A calendar that can be stored: a known zone, HH:MM hours that open before they close, ISO dates. */
export function calendarProblems(calendar: BusinessCalendarSpec): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  try {
    formatterOf(calendar.timeZone);
  } catch {
    problems.push({ field: 'input.timeZone', message: `Unknown IANA time zone "${calendar.timeZone}"` });
  }
  if (calendar.weeklyHours.length === 0) problems.push({ field: 'input.weeklyHours', message: 'Give at least one opening' });
  calendar.weeklyHours.forEach((hours, index) => {
    const valid = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
    if (!Number.isInteger(hours.day) || hours.day < 1 || hours.day > 7) problems.push({ field: `input.weeklyHours.${index}.day`, message: '1 (Monday) to 7 (Sunday)' });
    if (!valid.test(hours.opens) || !valid.test(hours.closes) || minutesOf(hours.opens) >= minutesOf(hours.closes)) {
      problems.push({ field: `input.weeklyHours.${index}`, message: 'opens and closes are HH:MM, opens before closes' });
    }
  });
  calendar.holidays.forEach((date, index) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) problems.push({ field: `input.holidays.${index}`, message: 'A date YYYY-MM-DD' });
  });
  return problems;
}
