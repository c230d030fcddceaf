// The backend of the live inbox: serves the page (bundled with esbuild from page.ts at start) and
// mints a client token per page load with its own API key, which never reaches the browser.
//   GATEWAY_URL=http://127.0.0.1:4000 GATEWAY_KEY=sgw_… npx ts-node examples/live-inbox/server.ts
// The gateway needs CORS_ORIGINS to include this server's origin (http://127.0.0.1:5080 by default).
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';

export interface LiveInboxSettings {
  readonly gatewayUrl: string;
  /** A key with tokens:write and the scopes it hands out (conversations:read, events:read). */
  readonly gatewayKey: string;
  readonly port?: number;
}

export interface LiveInbox {
  readonly url: string;
  close(): Promise<void>;
}

const mintMutation = `mutation Mint($input: ClientTokenCreateInput!) { clientTokenCreate(input: $input) { token expiresAt } }`;

export async function startLiveInbox({ gatewayUrl, gatewayKey, port = 0 }: LiveInboxSettings): Promise<LiveInbox> {
  const bundle = await build({ entryPoints: [path.join(__dirname, 'page.ts')], bundle: true, write: false, format: 'iife', target: ['es2020'], logLevel: 'warning' });
  const pageScript = bundle.outputFiles[0].contents;
  const html = await readFile(path.join(__dirname, 'index.html'));
  let origin = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    if (request.method === 'GET' && url.pathname === '/') return void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    if (request.method === 'GET' && url.pathname === '/page.js') return void response.writeHead(200, { 'content-type': 'text/javascript' }).end(pageScript);
    if (request.method === 'POST' && url.pathname === '/token') {
      // A real backend decides here which inbox its signed-in agent may watch.
      const inbox = url.searchParams.get('inbox') ?? 'support';
      const input = { scopes: ['conversations:read', 'events:read'], filter: { inboxes: [inbox] }, allowedOrigins: [origin], expiresInSeconds: 3600 };
      void fetch(`${gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gatewayKey}` }, body: JSON.stringify({ query: mintMutation, variables: { input } }) })
        .then((answer) => answer.json() as Promise<{ data?: { clientTokenCreate: { token: string } }; errors?: unknown }>)
        .then(({ data, errors }) => {
          if (!data?.clientTokenCreate) return void response.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ errors }));
          response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ token: data.clientTokenCreate.token, gatewayUrl }));
        })
        .catch(() => response.writeHead(502).end());
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

if (require.main === module) {
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';
  const gatewayKey = process.env.GATEWAY_KEY;
  if (!gatewayKey) throw new Error('set GATEWAY_KEY to a key with tokens:write, conversations:read and events:read');
  void startLiveInbox({ gatewayUrl, gatewayKey, port: Number(process.env.PORT ?? 5080) }).then(({ url }) => process.stdout.write(`live inbox on ${url}/?inbox=support\n`));
}
