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
      return sendOnce(url, request).catch((error: Error & { isReusedSocket?: boolean }) => {
        // The server may close an idle keep-alive socket just as it is reused (Node's documented race): once more.
        if (error.isReusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET') return sendOnce(url, request);
        throw error;
      });
    },
    close(): void {
      agent.destroy();
    },
  };

  function sendOnce(url: string, request: HttpRequest): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const outgoing = http.request(url, { method: request.method ?? 'GET', headers: request.headers, agent, timeout: timeoutMs }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`No answer from ${url} within ${timeoutMs} ms`)));
      outgoing.on('error', (error) => reject(Object.assign(error, { isReusedSocket: outgoing.reusedSocket })));
      outgoing.end(request.body);
    });
  }
}

export type HttpClient = ReturnType<typeof createHttpClient>;

/** POSTs one GraphQL operation with a Bearer key; throws unless it answers 200 with data and no errors. */
export async function askGraphQL(client: HttpClient, graphqlUrl: string, secret: string, query: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
  const answer = await client.send(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = answer.status === 200 ? (JSON.parse(answer.body) as { data?: Record<string, any>; errors?: unknown[] }) : undefined;
  if (!body?.data || body.errors) throw new Error(`gateway answered ${answer.status}: ${answer.body.slice(0, 500)}`);
  return body.data;
}
