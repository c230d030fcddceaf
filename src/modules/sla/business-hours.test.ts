import fc from 'fast-check';
import { addBusinessMinutes, addOpenMinutes, businessMillisBetween, zonedTimeToInstant, type BusinessCalendarSpec } from './business-hours';

const berlinOffice: BusinessCalendarSpec = {
  timeZone: 'Europe/Berlin',
  weeklyHours: [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })),
  holidays: ['2026-04-03', '2026-04-06'],
};
const at = (iso: string) => new Date(iso);

describe('addBusinessMinutes', () => {
  it('counts only open time: a request at 16:30 with 60 minutes is due at 09:30 the next working day', () => {
    // Tuesday 2026-03-10, 16:30 in Berlin (CET, UTC+1).
    expect(addBusinessMinutes(at('2026-03-10T15:30:00Z'), 60, berlinOffice).toISOString()).toBe('2026-03-11T08:30:00.000Z');
  });

  it('skips the weekend: Friday 16:00 plus 2 hours is Monday 10:00', () => {
    expect(addBusinessMinutes(at('2026-03-13T15:00:00Z'), 120, berlinOffice).toISOString()).toBe('2026-03-16T09:00:00.000Z');
  });

  it('is exact across the spring DST change: Friday 16:00 CET plus 2 hours is Monday 10:00 CEST, one UTC hour earlier', () => {
    // Clocks go forward on Sunday 2026-03-29: Monday 10:00 is 08:00 UTC, not 09:00.
    expect(addBusinessMinutes(at('2026-03-27T15:00:00Z'), 120, berlinOffice).toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('is exact across the autumn DST change: Friday 16:00 CEST plus 2 hours is Monday 10:00 CET', () => {
    expect(addBusinessMinutes(at('2026-10-23T14:00:00Z'), 120, berlinOffice).toISOString()).toBe('2026-10-26T09:00:00.000Z');
  });

  it('skips holidays: Thursday before Easter 16:00 plus 2 hours is Tuesday 10:00, past Good Friday, the weekend and Easter Monday', () => {
    expect(addBusinessMinutes(at('2026-04-02T14:00:00Z'), 120, berlinOffice).toISOString()).toBe('2026-04-07T08:00:00.000Z');
  });

  it('starts counting at opening time for a request that arrives before it, and without a calendar adds plain minutes', () => {
    expect(addBusinessMinutes(at('2026-03-10T05:00:00Z'), 30, berlinOffice).toISOString()).toBe('2026-03-10T08:30:00.000Z');
    expect(addBusinessMinutes(at('2026-03-10T05:00:00Z'), 30, null).toISOString()).toBe('2026-03-10T05:30:00.000Z');
  });

  it('always lands inside open hours, and adding in two steps equals adding at once (any start, any duration)', () => {
    const workingInstant = (instant: Date) => {
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
      const part = (type: string) => local.find((item) => item.type === type)!.value;
      const minutes = Number(part('hour')) * 60 + Number(part('minute'));
      return !['Sat', 'Sun'].includes(part('weekday')) && minutes >= 9 * 60 && minutes <= 17 * 60;
    };
    fc.assert(
      fc.property(fc.date({ min: at('2026-01-01T00:00:00Z'), max: at('2026-12-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 5_000 }), (start, first, second) => {
        const once = addBusinessMinutes(start, first + second, berlinOffice);
        const twice = addBusinessMinutes(addBusinessMinutes(start, first, berlinOffice), second, berlinOffice);
        return once.getTime() === twice.getTime() && workingInstant(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('zonedTimeToInstant', () => {
  it('gives back any instant from its wall-clock time, in zones with DST, half-hour and 45-minute offsets (checked against Intl)', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'];
    const formats = new Map(zones.map((timeZone) => [timeZone, new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })]));
    const wallClock = (instant: number, timeZone: string) => {
      const parts = Object.fromEntries(formats.get(timeZone)!.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]));
      return [parts.year, parts.month, parts.day, parts.hour * 60 + parts.minute] as const;
    };
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2020-01-01T00:00:00Z') / 60_000, max: Date.parse('2030-01-01T00:00:00Z') / 60_000 }), fc.constantFrom(...zones), (minute, zone) => {
        const wall = wallClock(minute * 60_000, zone);
        // In the hour an autumn change repeats, either instant is right: compare wall clocks.
        return wallClock(zonedTimeToInstant(...wall, zone), zone).join() === wall.join();
      }),
      { numRuns: 2_000 },
    );
    // Right at each offset change of 2026, where a cached offset would be wrong first (Lord Howe moves by 30 minutes at 15:30 UTC).
    for (const zone of ['Europe/Berlin', 'Australia/Lord_Howe', 'Pacific/Chatham']) {
      const offsetOf = (instant: number) => {
        const [year, month, day, minutes] = wallClock(instant, zone);
        return Date.UTC(year, month - 1, day, 0, minutes) - instant;
      };
      const changes: number[] = [];
      // Hour by hour, then the quarter hour within: every change of these zones is on a quarter hour.
      for (let hour = Date.parse('2026-01-01T00:00:00Z'); hour < Date.parse('2027-01-01T00:00:00Z'); hour += 3_600_000) {
        if (offsetOf(hour + 3_600_000) === offsetOf(hour)) continue;
        changes.push([1, 2, 3, 4].map((quarter) => hour + quarter * 15 * 60_000).find((instant) => offsetOf(instant) !== offsetOf(hour))!);
      }
      expect({ zone, changes: changes.length }).toEqual({ zone, changes: 2 });
      for (const instant of changes.flatMap((change) => [change - 60_000, change, change + 60_000, change + 14 * 60_000])) {
        const wall = wallClock(instant, zone);
        expect({ zone, instant: new Date(instant), wall: wallClock(zonedTimeToInstant(...wall, zone), zone) }).toEqual({ zone, instant: new Date(instant), wall });
      }
    }
  });

  it('gives the instant of a wall-clock time on either side of a DST change', () => {
    expect(new Date(zonedTimeToInstant(2026, 3, 28, 9 * 60, 'Europe/Berlin')).toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(new Date(zonedTimeToInstant(2026, 3, 30, 9 * 60, 'Europe/Berlin')).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(new Date(zonedTimeToInstant(2026, 11, 2, 9 * 60, 'America/New_York')).toISOString()).toBe('2026-11-02T14:00:00.000Z');
  });
});

describe('businessMillisBetween', () => {
  const hours = (value: number) => value * 3_600_000;

  it('counts open time only: Friday 16:00 to Monday 10:00 across the spring DST change is 2 hours; over Easter, Thursday 16:00 to Tuesday 10:00 is 2 hours', () => {
    expect(businessMillisBetween(at('2026-03-27T15:00:00Z'), at('2026-03-30T08:00:00Z'), berlinOffice)).toBe(hours(2));
    expect(businessMillisBetween(at('2026-04-02T14:00:00Z'), at('2026-04-07T08:00:00Z'), berlinOffice)).toBe(hours(2));
    expect(businessMillisBetween(at('2026-10-23T14:00:00Z'), at('2026-10-26T09:00:00Z'), berlinOffice)).toBe(hours(2));
  });

  it('counts every local date a span touches, also when a spring DST change makes it touch one more than its length in days', () => {
    // 23:30 CET on the Saturday to 00:30 CEST on the Monday is 24 hours of three local dates: 29 + 1379 (a 23-hour Sunday) + 30 open minutes.
    const almostAlwaysOpen: BusinessCalendarSpec = { timeZone: 'Europe/Berlin', weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, opens: '00:00', closes: '23:59' })), holidays: [] };
    expect(businessMillisBetween(at('2026-03-28T22:30:00Z'), at('2026-03-29T22:30:00Z'), almostAlwaysOpen)).toBe(1438 * 60_000);
  });

  it('is zero outside open hours and for an end not after the start; without a calendar, the plain difference', () => {
    expect(businessMillisBetween(at('2026-03-28T10:00:00Z'), at('2026-03-29T20:00:00Z'), berlinOffice)).toBe(0);
    expect(businessMillisBetween(at('2026-03-10T12:00:00Z'), at('2026-03-10T11:00:00Z'), berlinOffice)).toBe(0);
    expect(businessMillisBetween(at('2026-03-10T05:00:00Z'), at('2026-03-10T05:30:00Z'), null)).toBe(1_800_000);
  });

  it('measures what addBusinessMinutes adds, from any start, and splits additively at any instant between', () => {
    fc.assert(
      fc.property(fc.date({ min: at('2026-01-01T00:00:00Z'), max: at('2026-12-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 1, max: 20_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (start, minutes, share) => {
        const end = addBusinessMinutes(start, minutes, berlinOffice);
        const middle = new Date(start.getTime() + Math.floor((end.getTime() - start.getTime()) * share));
        const measured = businessMillisBetween(start, end, berlinOffice);
        return measured === minutes * 60_000 && businessMillisBetween(start, middle, berlinOffice) + businessMillisBetween(middle, end, berlinOffice) === measured;
      }),
      { numRuns: 300 },
    );
  });
});

describe('addOpenMinutes with pauses', () => {
  const pause = (from: string, until: string | null) => ({ from: at(from), until: until === null ? null : at(until) });

  it('stops the clock while paused: 60 minutes from 10:00 with a pause 10:20–10:50 are due at 11:30', () => {
    expect(addOpenMinutes(at('2026-03-10T10:00:00Z'), 60, null, [pause('2026-03-10T10:20:00Z', '2026-03-10T10:50:00Z')])?.toISOString()).toBe('2026-03-10T11:30:00.000Z');
  });

  it('in business hours, a pause over the weekend and the DST change: Friday 16:00 CET, paused 16:30 to Monday 09:30 CEST, 2 hours due Monday 11:00 CEST', () => {
    expect(addOpenMinutes(at('2026-03-27T15:00:00Z'), 120, berlinOffice, [pause('2026-03-27T15:30:00Z', '2026-03-30T07:30:00Z')])?.toISOString()).toBe('2026-03-30T09:00:00.000Z');
  });

  it('is null while a pause goes on before the time is used, and a pause after the due time changes nothing', () => {
    expect(addOpenMinutes(at('2026-03-10T10:00:00Z'), 60, berlinOffice, [pause('2026-03-10T10:30:00Z', null)])).toBeNull();
    expect(addOpenMinutes(at('2026-03-10T10:00:00Z'), 60, berlinOffice, [pause('2026-03-10T11:00:00Z', null)])?.toISOString()).toBe('2026-03-10T11:00:00.000Z');
  });

  it('shifts the due time by exactly the open time paused before it (any start, any pause)', () => {
    fc.assert(
      fc.property(fc.date({ min: at('2026-01-01T00:00:00Z'), max: at('2026-12-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 0, max: 10 * 86_400 }), fc.integer({ min: 1, max: 5 * 86_400 }), (start, minutes, offsetSeconds, lengthSeconds) => {
        const from = new Date(start.getTime() + offsetSeconds * 1000);
        const until = new Date(from.getTime() + lengthSeconds * 1000);
        const unpaused = addBusinessMinutes(start, minutes, berlinOffice);
        const paused = addOpenMinutes(start, minutes, berlinOffice, [{ from, until }])!;
        if (from >= unpaused) return paused.getTime() === unpaused.getTime();
        // The open time the pause took before the due time is added back after it.
        return businessMillisBetween(start, paused, berlinOffice) - businessMillisBetween(from < start ? start : from, until < paused ? until : paused, berlinOffice) === minutes * 60_000;
      }),
      { numRuns: 300 },
    );
  });
});
