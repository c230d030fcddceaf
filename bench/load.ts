import autocannon from 'autocannon';

/** One HTTP request as autocannon sends it; `vary` rewrites the body per request (a fresh idempotency key). */
export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly vary?: () => string;
}

export interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Answers other than 2xx, plus connection errors and timeouts: any is a failed run. */
  readonly failures: number;
}

function run(origin: string, request: LoadRequest, options: Partial<autocannon.Options>): Promise<LoadFigures> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: origin,
        requests: [
          {
            method: request.method,
            path: request.path,
            headers: request.headers,
            body: request.body,
            ...(request.vary ? { setupRequest: (outgoing: Record<string, unknown>) => ({ ...outgoing, body: request.vary!() }) } : {}),
          },
        ],
        timeout: 30,
        ...options,
      } as autocannon.Options,
      (error, result) => {
        if (error) return reject(error);
        resolve({
          requestsPerSecond: result.requests.total / result.duration,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          requests: result.requests.total,
          failures: result.non2xx + result.errors + result.timeouts,
        });
      },
    );
  });
}

/** Closed loop: `connections` clients each sending the next request when the previous one answered. */
export async function closedLoop(origin: string, request: LoadRequest, connections: number, seconds: number, warmUpSeconds: number): Promise<LoadFigures> {
  if (warmUpSeconds > 0) await run(origin, request, { connections, duration: warmUpSeconds });
  return run(origin, request, { connections, duration: seconds });
}

/** Open loop at a fixed rate, so a slow answer delays no later request and p99 shows queueing honestly. */
export function openLoop(origin: string, request: LoadRequest, requestsPerSecond: number, seconds: number): Promise<LoadFigures> {
  // Enough connections that the rate never waits for a free one.
  return run(origin, request, { connections: 50, overallRate: Math.max(1, Math.round(requestsPerSecond)), duration: seconds });
}
