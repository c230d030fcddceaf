import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { negotiateCoding } from '../../src/server/http/compression';
import { startGateway, type TestGateway } from '../support/start-gateway';

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bytes: Buffer;
}

/** One request over node:http, which (unlike fetch) hands back the bytes as they came. */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes: Buffer.concat(chunks) }));
    });
    sent.on('error', reject);
    sent.end(options.body);
  });
}

const decode = ({ headers, bytes }: RawAnswer) =>
  (headers['content-encoding'] === 'br' ? brotliDecompressSync(bytes) : headers['content-encoding'] === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');

describe('COMP: HTTP answers are compressed when the client accepts it', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
    const create = 'mutation($subject: String!) { conversationCreate(input: { subject: $subject, channel: EMAIL }) { conversation { id } } }';
    for (let index = 0; index < 30; index++) await fetch(gateway.graphqlUrl, post(create, { subject: `Compressible conversation number ${index}` }));
  });
  afterAll(() => gateway.stop());

  function post(query: string, variables: Record<string, unknown> = {}) {
    return { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.adminSecret}` }, body: JSON.stringify({ query, variables }) };
  }
  const page = (acceptEncoding?: string, query = '{ conversations(first: 30) { nodes { id subject status channel createdAt } } }') => {
    const { method, headers, body } = post(query);
    return rawRequest(gateway.graphqlUrl, { method, body, headers: { ...headers, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } });
  };

  it.each([
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
  ])('COMP-01 with Accept-Encoding "%s" a page comes as %s, smaller, and decodes to the same answer', async (acceptEncoding, coding) => {
    const plain = await page();
    const compressed = await page(acceptEncoding);

    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(compressed.headers['content-encoding']).toBe(coding);
    expect(String(compressed.headers.vary)).toMatch(/accept-encoding/i);
    expect(compressed.bytes.length).toBeLessThan(plain.bytes.length / 2);
    expect(JSON.parse(decode(compressed)).data).toEqual(JSON.parse(plain.bytes.toString('utf8')).data);
    expect(Number(compressed.headers['content-length'])).toBe(compressed.bytes.length);
  });

  it('COMP-02 an answer under 1 KB, or a client that accepts no coding, gets it as is', async () => {
    const small = await page('gzip, br', '{ viewer { scopes } }');
    const refused = await page('identity, gzip;q=0, br;q=0');

    expect(small.bytes.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(refused.bytes.toString('utf8')).data.conversations.nodes).toHaveLength(30);
  });

  it('COMP-03 the GraphiQL bundle is served compressed', async () => {
    const script = await rawRequest(`${gateway.url}/graphiql/graphiql.js`, { headers: { 'accept-encoding': 'br, gzip' } });

    expect(script.headers['content-encoding']).toBe('br');
    expect(decode(script)).toContain('graphql-transport-ws');
  });

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['deflate', undefined],
    ['GZIP', 'gzip'],
    ['br;q=0.5, gzip;q=1', 'gzip'],
    ['br, gzip', 'br'],
    ['*;q=0', undefined],
  ])('COMP-04 Accept-Encoding %j negotiates %j', (header, coding) => {
    expect(negotiateCoding(header)).toBe(coding);
  });
});
