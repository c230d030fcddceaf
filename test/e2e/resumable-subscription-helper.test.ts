import { subscribeResumable, type SubscribableClient } from '../../client';

/** A client that records the payload it was given and lets the test push results, as a retrying client would. */
function scriptedClient() {
  let sink: Parameters<SubscribableClient['subscribe']>[1] | undefined;
  let payload: Parameters<SubscribableClient['subscribe']>[0] | undefined;
  let disposed = false;
  const client: SubscribableClient = {
    subscribe: (given, givenSink) => {
      payload = given;
      sink = givenSink;
      return () => void (disposed = true);
    },
  };
  return {
    client,
    push: (sequence: number) => sink!.next({ data: { events: { id: `evt_${sequence}`, sequence } } }),
    fail: (errors: unknown[]) => sink!.next({ errors }),
    pushData: (data: unknown) => sink!.next({ data }),
    /** What the client would send on its next retry. */
    get resentVariables() {
      return JSON.parse(JSON.stringify(payload!.variables));
    },
    get isDisposed() {
      return disposed;
    },
  };
}

describe('RESUME: the subscribe helper’s own rules', () => {
  it('RESUME-02 a retry resends `after` = the last delivered sequence, and an event at or before it is dropped', () => {
    const scripted = scriptedClient();
    const delivered: number[] = [];
    const subscription = subscribeResumable(scripted.client, { query: 'subscription', variables: { types: ['x'] }, after: 4, next: (_data, sequence) => delivered.push(sequence) });
    expect(scripted.resentVariables).toEqual({ types: ['x'], after: '4' });

    for (const sequence of [3, 4, 5, 6, 6, 5, 7]) scripted.push(sequence);

    expect(delivered).toEqual([5, 6, 7]);
    expect(scripted.resentVariables).toEqual({ types: ['x'], after: '7' });
    expect(subscription.lastSequence).toBe(7);
  });

  it('RESUME-03 an error result ends the subscription and reaches `error`; a result without `sequence` is refused', () => {
    const failing = scriptedClient();
    const errors: unknown[] = [];
    subscribeResumable(failing.client, { query: 'subscription', next: () => undefined, error: (error) => errors.push(error) });
    failing.fail([{ message: 'Conversation not found', extensions: { code: 'NOT_FOUND' } }]);
    expect(errors).toEqual([[{ message: 'Conversation not found', extensions: { code: 'NOT_FOUND' } }]]);
    expect(failing.isDisposed).toBe(true);

    const unsequenced = scriptedClient();
    const problems: Error[] = [];
    subscribeResumable(unsequenced.client, { query: 'subscription', next: () => undefined, error: (error) => problems.push(error as Error) });
    unsequenced.pushData({ events: { id: 'evt_1' } });
    expect(problems.map((problem) => problem.message)).toEqual([expect.stringContaining('sequence')]);
  });
});
