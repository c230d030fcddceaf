import { request } from 'node:http';
import { startGateway } from '../support/start-gateway';

describe('SHUTDOWN: stopping the gateway drains requests already in flight', () => {
  it('SHUTDOWN-01 a request received before close() is answered, and close() waits for it', async () => {
    const gateway = await startGateway();
    const body = JSON.stringify({ query: '{ viewer { apiKey { id } } }' });
    const url = new URL(gateway.graphqlUrl);
    let isClosed = false;
    let closing: Promise<void> | undefined;

    const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            authorization: `Bearer ${gateway.adminSecret}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            // The server answers 100 Continue once it has the request: then it is in flight.
            expect: '100-continue',
          },
        },
        (incoming) => {
          let text = '';
          incoming.on('data', (chunk) => (text += chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
        },
      );
      outgoing.on('error', reject);
      outgoing.on('continue', () => {
        closing = gateway.stop().then(() => void (isClosed = true));
        closing.catch(reject);
        expect(isClosed).toBe(false);
        outgoing.end(body);
      });
    });

    await closing;
    expect(isClosed).toBe(true);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).data.viewer.apiKey.id).toMatch(/^key_/);
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
  });
});
