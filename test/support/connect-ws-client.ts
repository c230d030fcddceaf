import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export interface WsConnection {
  readonly client: Client;
  /** Resolves with the close code once the server closes the socket. */
  readonly closed: Promise<number>;
  dispose(): Promise<void>;
}

/** A real graphql-ws client (subprotocol graphql-transport-ws) authenticated in connection_init; `headers` go on the upgrade (a browser's Origin). */
export function connectWsClient(httpUrl: string, secret: string | undefined, headers: Record<string, string> = {}): WsConnection {
  let reportClose: (code: number) => void = () => {};
  const closed = new Promise<number>((resolve) => (reportClose = resolve));
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers });
      }
    },
    connectionParams: secret === undefined ? {} : { authorization: `Bearer ${secret}` },
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => reportClose((event as { code: number }).code) },
  });
  return { client, closed, dispose: () => client.dispose() as Promise<void> };
}

/** Collects results of one subscription; `next(n)` waits for the n-th result without sleeping. */
export function collectSubscription<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: FormattedExecutionResult<T, unknown>[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let failure: unknown;
  let done = false;
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (results.length >= waiter.count || done) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        results.push(result);
        settle();
      },
      error: (error) => {
        failure = error;
        done = true;
        settle();
      },
      complete: () => {
        done = true;
        settle();
      },
    },
  );
  return {
    results,
    get failure() {
      return failure;
    },
    get isDone() {
      return done;
    },
    /** Waits until at least `count` results arrived (or the subscription ended). */
    async waitFor(count: number, timeoutMs = 10_000): Promise<FormattedExecutionResult<T, unknown>[]> {
      if (results.length < count && !done) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${count} results, got ${results.length}`)), timeoutMs);
          waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
        });
      }
      return results;
    },
    unsubscribe,
  };
}
