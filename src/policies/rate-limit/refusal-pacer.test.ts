import { RefusalPacer } from './refusal-pacer';

/** A pacer on a hand-moved clock whose pauses only record their length. */
function pacerOnManualClock(paceMs: number) {
  let nowMs = 1_000_000;
  const pausesMs: number[] = [];
  const pacer = new RefusalPacer({ paceMs, now: () => nowMs, sleep: async (ms) => void pausesMs.push(ms) });
  return { pacer, pausesMs, advance: (ms: number) => (nowMs += ms) };
}

describe('RefusalPacer', () => {
  it('answers a key’s first refusal at once and pauses each next one sent before its Retry-After', async () => {
    const { pacer, pausesMs, advance } = pacerOnManualClock(1000);
    await pacer.pace('key_a', 60);
    expect(pausesMs).toEqual([]);
    await pacer.pace('key_a', 60);
    advance(1000);
    await pacer.pace('key_a', 59);
    expect(pausesMs).toEqual([1000, 1000]);
  });

  it('never pauses past the time the key was first told to retry at', async () => {
    const { pacer, pausesMs, advance } = pacerOnManualClock(1000);
    await pacer.pace('key_a', 2);
    advance(1_700);
    await pacer.pace('key_a', 1);
    expect(pausesMs).toEqual([300]);
  });

  it('answers at once again once the key waited as told', async () => {
    const { pacer, pausesMs, advance } = pacerOnManualClock(1000);
    await pacer.pace('key_a', 2);
    advance(2_000);
    await pacer.pace('key_a', 2);
    expect(pausesMs).toEqual([]);
  });

  it('keeps keys apart: another key’s first refusal is not paused', async () => {
    const { pacer, pausesMs } = pacerOnManualClock(1000);
    await pacer.pace('key_a', 60);
    await pacer.pace('key_b', 60);
    expect(pausesMs).toEqual([]);
  });

  it('with a pace of 0 never pauses', async () => {
    const { pacer, pausesMs } = pacerOnManualClock(0);
    await pacer.pace('key_a', 60);
    await pacer.pace('key_a', 60);
    expect(pausesMs).toEqual([]);
  });

  it('when it forgets the keys whose Retry-After has passed, still pauses a key told to wait longer', async () => {
    const { pacer, pausesMs, advance } = pacerOnManualClock(1000);
    await pacer.pace('key_long', 3600);
    for (let index = 0; index < 10_000; index++) await pacer.pace(`key_${index}`, 1);
    advance(2_000);
    await pacer.pace('key_new', 1);
    await pacer.pace('key_0', 1);
    await pacer.pace('key_long', 3600);
    expect(pausesMs).toEqual([1000]);
  });
});
