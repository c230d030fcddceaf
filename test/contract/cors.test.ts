import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config';
import { startGateway, type TestGateway } from '../support/start-gateway';

const allowed = 'https://app.example.com';
const other = 'https://elsewhere.example.com';

/** Resolves with the HTTP status of a WebSocket upgrade: 101 when accepted. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => resolve(0));
  });
}

describe('CORS: browser origins on /graphql, /graphql/stream and WebSocket', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ env: { CORS_ORIGINS: `${allowed}, http://localhost:5173` } });
  });
  afterAll(() => gateway.stop());

  const preflight = (path: string, origin: string) =>
    fetch(`${gateway.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });

  it.each([['/graphql'], ['/graphql/stream']])('CORS-01 a preflight to %s from an allowed origin is answered with methods, headers and max-age', async (path) => {
    const response = await preflight(path, allowed);

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('authorization'));
    expect(response.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('content-type'));
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });

  it.each([['/graphql'], ['/graphql/stream']])('CORS-02 a preflight to %s from another origin gets no CORS headers', async (path) => {
    const response = await preflight(path, other);

    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('CORS-03 answers to an allowed origin carry Access-Control-Allow-Origin and expose the request id, errors included', async () => {
    const ok = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { origin: allowed, 'content-type': 'application/json', authorization: `Bearer ${gateway.adminSecret}` },
      body: JSON.stringify({ query: '{ viewer { scopes } }' }),
    });
    const refused = await fetch(gateway.graphqlUrl, { method: 'POST', headers: { origin: allowed, 'content-type': 'application/json' }, body: '{"query":"{ viewer { scopes } }"}' });
    const fromOther = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { origin: other, 'content-type': 'application/json', authorization: `Bearer ${gateway.adminSecret}` },
      body: JSON.stringify({ query: '{ viewer { scopes } }' }),
    });

    expect([ok.status, ok.headers.get('access-control-allow-origin')]).toEqual([200, allowed]);
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    expect(ok.headers.get('vary')).toContain('Origin');
    expect([refused.status, refused.headers.get('access-control-allow-origin')]).toEqual([401, allowed]);
    expect(fromOther.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('CORS-04 a WebSocket upgrade with an Origin opens only from an allowed origin or the gateway’s own; without one (a server) it opens', async () => {
    const ownOrigin = gateway.url;

    expect(await upgradeStatus(gateway.url, { origin: allowed })).toBe(101);
    expect(await upgradeStatus(gateway.url, { origin: ownOrigin })).toBe(101);
    expect(await upgradeStatus(gateway.url, {})).toBe(101);
    expect(await upgradeStatus(gateway.url, { origin: other })).toBe(403);
  });

  it('CORS-05 CORS_ORIGINS takes origins only: a path or a wildcard is a configuration error naming the variable', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ CORS_ORIGINS: 'HTTPS://App.Example.com:443 , http://localhost:5173' }).corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });
});
