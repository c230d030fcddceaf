import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { bodyExcerptLimitBytes, OutboundRequestError, postWithGuard } from './guarded-http';
import type { OutboundPolicy, ResolveHostname } from './ssrf-guard';

const localTestPolicy: OutboundPolicy = { isPlainHttpAllowed: true, isPrivateNetworkAllowed: true };
const plainHttpOnlyPolicy: OutboundPolicy = { isPlainHttpAllowed: true, isPrivateNetworkAllowed: false };
/** A public-looking name whose DNS answer points at this machine, as in a rebinding attack. */
const rebindingHostname = 'hooks.customer.example';
const resolveToLoopback: ResolveHostname = async () => [{ address: '127.0.0.1', family: 4 }];

interface ReceivedRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface Receiver {
  readonly port: number;
  readonly received: ReceivedRequest[];
  connectionCount: number;
  close(): Promise<void>;
}

/** A real HTTP server on a random loopback port; `respond` runs once the request body is read. */
async function startReceiver(respond: (response: http.ServerResponse) => void): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString() });
      respond(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: Receiver = {
    port: (server.address() as AddressInfo).port,
    received,
    connectionCount: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  server.on('connection', () => (receiver.connectionCount += 1));
  return receiver;
}

async function captureFailure(promise: Promise<unknown>): Promise<OutboundRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundRequestError) return error;
    throw error;
  }
  throw new Error('the request succeeded');
}

describe('postWithGuard', () => {
  const receivers: Receiver[] = [];
  const startTrackedReceiver = async (respond: (response: http.ServerResponse) => void) => {
    const receiver = await startReceiver(respond);
    receivers.push(receiver);
    return receiver;
  };

  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  it('posts the body and headers to a local receiver when the policy allows it and returns the response', async () => {
    const receiver = await startTrackedReceiver((response) => response.writeHead(202, { 'x-receipt': 'r-1' }).end('accepted'));
    const body = JSON.stringify({ event: 'conversation.created' });

    const result = await postWithGuard(`http://127.0.0.1:${receiver.port}/hooks`, body, { 'content-type': 'application/json', 'x-signature': 'v1=abc' }, {
      timeoutMs: 5_000,
      policy: localTestPolicy,
    });

    expect(result).toMatchObject({ status: 202, bodyExcerpt: 'accepted', isBodyTruncated: false });
    expect(result.headers['x-receipt']).toBe('r-1');
    expect(receiver.received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/hooks',
        body,
        headers: expect.objectContaining({ 'x-signature': 'v1=abc', 'content-length': String(Buffer.byteLength(body)) }),
      }),
    ]);
  });

  it('reports as durationMs the time from the call to the end of the response', async () => {
    // The receiver moves a stand-in clock while it holds the request, so the figure is exact, not a wall-clock guess.
    let clockMs = 10_000;
    const now = jest.spyOn(performance, 'now').mockImplementation(() => clockMs);
    try {
      const receiver = await startTrackedReceiver((response) => {
        clockMs += 1_234;
        response.end('ok');
      });

      const result = await postWithGuard(`http://127.0.0.1:${receiver.port}/hooks`, '{}', {}, { timeoutMs: 5_000, policy: localTestPolicy });

      expect(result.durationMs).toBe(1_234);
    } finally {
      now.mockRestore();
    }
  });

  it('refuses at connect time a public-looking hostname that resolves to loopback, before any connection', async () => {
    const receiver = await startTrackedReceiver((response) => response.end('should not be reached'));

    const failure = await captureFailure(
      postWithGuard(`http://${rebindingHostname}:${receiver.port}/hooks`, '{}', {}, {
        timeoutMs: 5_000,
        policy: plainHttpOnlyPolicy,
        resolveHostname: resolveToLoopback,
      }),
    );

    expect(failure.code).toBe('refused_address');
    expect(failure.message).toBe(`host "${rebindingHostname}" resolved to 127.0.0.1, which is a loopback address (127.0.0.0/8)`);
    expect(receiver.connectionCount).toBe(0);
  });

  it('applies the same connect-time refusal to https URLs', async () => {
    const failure = await captureFailure(
      postWithGuard(`https://${rebindingHostname}/hooks`, '{}', {}, {
        timeoutMs: 5_000,
        policy: { isPlainHttpAllowed: false, isPrivateNetworkAllowed: false },
        resolveHostname: resolveToLoopback,
      }),
    );

    expect(failure).toMatchObject({ code: 'refused_address', message: expect.stringMatching(/resolved to 127\.0\.0\.1/) });
  });

  it('connects to that hostname when the policy allows private networks', async () => {
    const receiver = await startTrackedReceiver((response) => response.end('ok'));

    const result = await postWithGuard(`http://${rebindingHostname}:${receiver.port}/hooks`, '{}', {}, {
      timeoutMs: 5_000,
      policy: localTestPolicy,
      resolveHostname: resolveToLoopback,
    });

    expect(result.status).toBe(200);
    expect(receiver.received[0]?.headers.host).toBe(`${rebindingHostname}:${receiver.port}`);
  });

  it('keeps the connection alive: consecutive posts to one receiver use a single connection', async () => {
    const receiver = await startTrackedReceiver((response) => response.end('ok'));

    for (let index = 0; index < 3; index++) {
      const result = await postWithGuard(`http://127.0.0.1:${receiver.port}/hooks`, `{"n":${index}}`, {}, { timeoutMs: 5_000, policy: localTestPolicy });
      expect(result.status).toBe(200);
    }

    expect(receiver.received.map((request) => request.body)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    expect(receiver.connectionCount).toBe(1);
  });

  it('never lends a connection kept alive under a permissive policy to a stricter one: the stricter lookup still refuses', async () => {
    const receiver = await startTrackedReceiver((response) => response.end('ok'));
    const url = `http://${rebindingHostname}:${receiver.port}/hooks`;
    expect((await postWithGuard(url, '{}', {}, { timeoutMs: 5_000, policy: localTestPolicy, resolveHostname: resolveToLoopback })).status).toBe(200);

    const failure = await captureFailure(postWithGuard(url, '{}', {}, { timeoutMs: 5_000, policy: plainHttpOnlyPolicy, resolveHostname: resolveToLoopback }));

    expect(failure.code).toBe('refused_address');
    expect(receiver.received).toHaveLength(1);
  });

  it('refuses an IP-literal loopback URL, which no lookup ever sees, before any connection', async () => {
    const receiver = await startTrackedReceiver((response) => response.end('should not be reached'));

    const failure = await captureFailure(
      postWithGuard(`http://127.0.0.1:${receiver.port}/`, '{}', {}, { timeoutMs: 5_000, policy: plainHttpOnlyPolicy }),
    );

    expect(failure).toMatchObject({ code: 'refused_address', message: 'host 127.0.0.1 is a loopback address (127.0.0.0/8)' });
    expect(receiver.connectionCount).toBe(0);
  });

  it('returns a redirect as it is, without following it', async () => {
    const receiver = await startTrackedReceiver((response) =>
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    );

    const result = await postWithGuard(`http://127.0.0.1:${receiver.port}/hooks`, '{}', {}, { timeoutMs: 5_000, policy: localTestPolicy });

    expect(result.status).toBe(302);
    expect(result.headers.location).toBe('http://169.254.169.254/latest/meta-data/');
    expect(receiver.received).toHaveLength(1);
  });

  it('keeps only the first 64 KB of a longer response body', async () => {
    const receiver = await startTrackedReceiver((response) => response.end('x'.repeat(bodyExcerptLimitBytes * 3)));

    const result = await postWithGuard(`http://127.0.0.1:${receiver.port}/`, '{}', {}, { timeoutMs: 5_000, policy: localTestPolicy });

    expect(result.bodyExcerpt).toHaveLength(bodyExcerptLimitBytes);
    expect(result.isBodyTruncated).toBe(true);
  });

  it('fails with timeout when the receiver never answers', async () => {
    const receiver = await startTrackedReceiver(() => undefined);

    const failure = await captureFailure(
      postWithGuard(`http://127.0.0.1:${receiver.port}/`, '{}', {}, { timeoutMs: 150, policy: localTestPolicy }),
    );

    expect(failure).toMatchObject({ code: 'timeout', message: 'no complete response within 150 ms' });
  });

  it('fails with timeout when the response body never ends', async () => {
    const receiver = await startTrackedReceiver((response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial');
    });

    const failure = await captureFailure(
      postWithGuard(`http://127.0.0.1:${receiver.port}/`, '{}', {}, { timeoutMs: 150, policy: localTestPolicy }),
    );

    expect(failure.code).toBe('timeout');
  });

  it('fails with connection_error when nothing listens on the port', async () => {
    const closedReceiver = await startReceiver(() => undefined);
    await closedReceiver.close();

    const failure = await captureFailure(
      postWithGuard(`http://127.0.0.1:${closedReceiver.port}/`, '{}', {}, { timeoutMs: 5_000, policy: localTestPolicy }),
    );

    expect(failure.code).toBe('connection_error');
    expect(failure.message).toMatch(/ECONNREFUSED/);
  });

  it('refuses a URL the registration check refuses, such as plain http in production', async () => {
    const failure = await captureFailure(
      postWithGuard('http://example.com/hooks', '{}', {}, { timeoutMs: 5_000, policy: { isPlainHttpAllowed: false, isPrivateNetworkAllowed: false } }),
    );

    expect(failure).toMatchObject({ code: 'refused_address', message: 'plain http is not allowed; use https' });
  });
});
