import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { addVary, compressOnce, negotiateCoding } from '../http/compression';

/** Where scripts/bundle-graphiql.js writes the page's script and styles (from src/ under ts-jest and dist/ alike). */
export const graphiqlAssetsDir = path.resolve(__dirname, '../../..', 'dist', 'graphiql');

const assets: Readonly<Record<string, { file: string; contentType: string }>> = {
  '/graphiql/graphiql.js': { file: 'graphiql.js', contentType: 'text/javascript; charset=utf-8' },
  '/graphiql/graphiql.css': { file: 'graphiql.css', contentType: 'text/css; charset=utf-8' },
};

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Support gateway · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/graphiql.js"></script>
</body>
</html>
`;

/** Everything from this origin only: the page, its bundle, and /graphql over HTTP and WebSocket. */
const contentSecurityPolicy = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'";

/**
 * A local GraphiQL: the page on `GET /graphql` when a browser asks for HTML (a GET carrying a
 * query, or asking for JSON, is still GraphQL over HTTP), and its bundle under /graphiql/.
 * On outside production, opt-in there (GRAPHIQL=true).
 */
export class GraphiQLPage {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly isEnabled: boolean) {}

  /** True when it answered the request. */
  async serve(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    if (!this.isEnabled || request.method !== 'GET') return false;
    const [pathname, search = ''] = (request.url ?? '/').split('?');
    if (pathname === '/graphql') {
      const wantsHtml = (request.headers.accept ?? '').includes('text/html');
      if (!wantsHtml || new URLSearchParams(search).has('query')) return false;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': contentSecurityPolicy, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      response.end(page);
      return true;
    }
    const asset = assets[pathname];
    if (!asset) return false;
    const body = await this.read(asset.file);
    if (!body) return false;
    const coding = negotiateCoding(request.headers['accept-encoding']);
    addVary(response, 'Accept-Encoding');
    response.writeHead(200, { 'content-type': asset.contentType, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff', ...(coding ? { 'content-encoding': coding } : {}) });
    response.end(coding ? await compressOnce(this.cache, asset.file, body, coding) : body);
    return true;
  }

  private async read(file: string): Promise<Buffer | undefined> {
    if (!this.cache.has(file)) {
      const body = await readFile(path.join(graphiqlAssetsDir, file)).catch(() => undefined);
      if (!body) return undefined;
      this.cache.set(file, body);
    }
    return this.cache.get(file);
  }
}
