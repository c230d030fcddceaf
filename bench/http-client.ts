import http from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export interface HttpRequest {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * One keep-alive connection per origin, as a single sequential client holds: node:http rather than
 * fetch, so the client's own cost stays small next to what is measured.
 */
export function createHttpClient(timeoutMs = 10_000) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    send(url: string, request: HttpRequest = {}): Promise<HttpAnswer> {
      return new Promise((resolve, reject) => {
        const outgoing = http.request(url, { method: request.method ?? 'GET', headers: request.headers, agent, timeout: timeoutMs }, (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          incoming.on('error', reject);
        });
        outgoing.on('timeout', () => outgoing.destroy(new Error(`No answer from ${url} within ${timeoutMs} ms`)));
        outgoing.on('error', reject);
        outgoing.end(request.body);
      });
    },
    close(): void {
      agent.destroy();
    },
  };
}

export type HttpClient = ReturnType<typeof createHttpClient>;
