import { once } from 'node:events';
import WebSocket from 'ws';
import { postGraphQL, postRaw } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

/** Far more than socket buffers hold, so a server that closes without reading makes the sender fail with EPIPE. */
const oversizedBodyBytes = 1024 * 1024;

/** A valid request padded to `bytes` with a GraphQL comment: accepted if size were not checked. */
const paddedRequest = (bytes: number) => {
  const request = JSON.stringify({ query: 'query { viewer { scopes } } # ' });
  return request.replace('# ', `# ${'x'.repeat(bytes - request.length)}`);
};

describe('HTTP: requests refused before execution get the matching status and a JSON error', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ env: { MAX_BODY_BYTES: '4096', HTTP_KEEP_ALIVE_TIMEOUT: '70s', HTTP_REQUEST_TIMEOUT: '3m' } });
  });
  afterAll(() => gateway.stop());

  const authorized = () => ({ authorization: `Bearer ${gateway.adminSecret}` });

  it('HTTP-01 malformed JSON is 400 with a JSON body', async () => {
    const response = await postRaw(gateway.graphqlUrl, '{"query": "{ viewer', { ...authorized(), 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(response.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors![0].message).toMatch(/not valid JSON/);
  });

  it('HTTP-02 an unsupported content type is 415 with a JSON body', async () => {
    const response = await postRaw(gateway.graphqlUrl, 'query { viewer { scopes } }', { ...authorized(), 'content-type': 'text/plain' });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(response.body.errors![0].message).toMatch(/application\/json/);
  });

  it('HTTP-03 a body over the limit is 413 with a JSON body', async () => {
    const query = `query { viewer { scopes } } # ${'x'.repeat(5000)}`;
    const response = await postRaw(gateway.graphqlUrl, JSON.stringify({ query }), { ...authorized(), 'content-type': 'application/json' });
    expect(response.status).toBe(413);
    expect(response.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxBytes: 4096 });
  });

  it('HTTP-04 a GraphQL syntax error is 400 GRAPHQL_PARSE_FAILED with the request id', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, '{ viewer {', {}, { secret: gateway.adminSecret });
    expect(response.status).toBe(400);
    expect(response.body.errors![0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(response.body.errors![0].extensions.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('HTTP-05 an unknown field is 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, '{ viewer { nope } }', {}, { secret: gateway.adminSecret });
    expect(response.status).toBe(400);
    expect(response.body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('HTTP-06 application/graphql-response+json is honoured when the client accepts it', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, '{ viewer { scopes } }', {}, {
      secret: gateway.adminSecret,
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/graphql-response\+json/);
  });

  it('HTTP-07 unknown paths are 404 JSON with a request id header', async () => {
    const response = await fetch(`${gateway.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('HTTP-08 the standard directives @include and @skip work', async () => {
    const query = 'query Directives($withScopes: Boolean!) { viewer { apiKey { id } scopes @include(if: $withScopes) workspace @skip(if: true) { slug } } }';
    const response = await postGraphQL(gateway.graphqlUrl, query, { withScopes: false }, { secret: gateway.adminSecret });
    expect(response.body.errors).toBeUndefined();
    expect(Object.keys(response.body.data!.viewer)).toEqual(['apiKey']);
  });

  it('HTTP-09 a fetch client sending a body far over the limit with content-length reads the 413 instead of failing with EPIPE', async () => {
    const body = paddedRequest(oversizedBodyBytes);

    const response = await fetch(gateway.graphqlUrl, { method: 'POST', headers: { ...authorized(), 'content-type': 'application/json' }, body });

    expect(response.status).toBe(413);
    expect(((await response.json()) as any).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxBytes: 4096 });
  });

  it('HTTP-10 a chunked body (no content-length) over MAX_BODY_BYTES is refused 413, and the client reads it', async () => {
    const body = Buffer.from(paddedRequest(oversizedBodyBytes));
    const chunkBytes = 16 * 1024;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < body.length; offset += chunkBytes) controller.enqueue(body.subarray(offset, offset + chunkBytes));
        controller.close();
      },
    });

    const response = await fetch(gateway.graphqlUrl, { method: 'POST', headers: { ...authorized(), 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);

    expect(response.status).toBe(413);
    expect(((await response.json()) as any).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxBytes: 4096 });
  });

  it('HTTP-11 the same padded request within the limit is executed, so HTTP-09 and HTTP-10 fail for its size only', async () => {
    const response = await postRaw(gateway.graphqlUrl, paddedRequest(4000), { ...authorized(), 'content-type': 'application/json' });

    expect(response.status).toBe(200);
    expect(response.body.data!.viewer.scopes).toContain('admin');
  });

  it('HTTP-12 idle keep-alive connections outlive a load balancer’s 60 s idle timeout, with headersTimeout above keep-alive and a requestTimeout set', () => {
    const server = gateway.app.httpServer;

    expect(server.keepAliveTimeout).toBe(70_000);
    expect(server.headersTimeout).toBe(71_000);
    expect(server.requestTimeout).toBe(180_000);
  });

  it('HTTP-13 a WebSocket message over MAX_BODY_BYTES closes the socket with 1009 (message too big)', async () => {
    const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await once(socket, 'open');
    const closed = once(socket, 'close') as Promise<[number, Buffer]>;

    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${gateway.adminSecret}`, padding: 'x'.repeat(5000) } }));

    const [code] = await closed;
    expect(code).toBe(1009);
  });
});
