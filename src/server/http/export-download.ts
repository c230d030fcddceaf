import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import type { MikroORM } from '@mikro-orm/postgresql';
import { BulkExport, type ExportFileStore, type ExportLinkSigner } from '../../modules/bulk-exports';
import type { ApiKeyAuthenticator } from '../../modules/api-keys';
import { GatewayError, notFound } from '../../platform/errors';
import { addVary, negotiateCoding } from './compression';
import { resolveClientIp, type TrustProxySetting } from '../../policies/auth/ip-allowlist';
import { writeRefusal } from './respond';
import { headerOf } from './header-of';

export interface ExportDownloadDependencies {
  readonly orm: MikroORM;
  readonly links: ExportLinkSigner;
  readonly storeFor: (em: MikroORM['em']) => ExportFileStore;
  readonly authenticator: ApiKeyAuthenticator;
  readonly trustProxy: TrustProxySetting;
}

const exportIdPattern = /^bex_[a-z0-9]{20}$/;

/**
 * `GET /exports/<id>`: an export's file, by signed link (`?expires=…&signature=…`, from
 * `BulkExport.url`) or with the workspace's API key in `Authorization`. Serves `Range` (one
 * range; several get the whole file, as RFC 9110 allows), and compresses an uncompressed file
 * on the way when the client accepts it and asks for all of it.
 */
export function createExportDownloadHandler(deps: ExportDownloadDependencies) {
  return async (request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return writeRefusal(response, new GatewayError('BAD_USER_INPUT', 'Use GET or HEAD', {}, 405), requestId, { allow: 'GET, HEAD' });
    }
    const url = new URL(request.url ?? '/', 'http://gateway');
    const id = url.pathname.slice('/exports/'.length);
    const em = deps.orm.em.fork();
    const bulkExport = exportIdPattern.test(id) ? await em.findOne(BulkExport, { id }) : null;
    if (!bulkExport) return writeRefusal(response, notFound('BulkExport'), requestId);
    const refusal = await refusalOf(deps, request, url, bulkExport);
    if (refusal) return writeRefusal(response, refusal, requestId);

    const size = bulkExport.fileSize;
    const range = parseRange(request.headers.range, size);
    if (range === 'unsatisfiable') {
      return writeRefusal(response, new GatewayError('BAD_USER_INPUT', 'The range is outside the file', { fileSize: size }, 416), requestId, { 'content-range': `bytes */${size}` });
    }
    const [start, end] = range ?? [0, size - 1];
    response.setHeader('Content-Type', contentTypeOf(bulkExport));
    response.setHeader('Content-Disposition', `attachment; filename="${bulkExport.id}.${bulkExport.format === 'CSV' ? 'csv' : 'jsonl'}${bulkExport.compression === 'GZIP' ? '.gz' : ''}"`);
    response.setHeader('Accept-Ranges', 'bytes');
    response.setHeader('Cache-Control', 'private, no-store');
    response.setHeader('ETag', `"${bulkExport.id}-${size}"`);
    const coding = !range && bulkExport.compression === 'NONE' ? negotiateCoding(request.headers['accept-encoding']) : undefined;
    if (bulkExport.compression === 'NONE') addVary(response, 'Accept-Encoding');
    if (coding) response.setHeader('Content-Encoding', coding);
    else response.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (range) response.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    response.statusCode = range ? 206 : 200;
    if (request.method === 'HEAD' || size === 0) return void response.end();
    const body = Readable.from(deps.storeFor(em).read(bulkExport.id, start, end));
    await (coding ? pipeline(body, coding === 'br' ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }) : createGzip(), response) : pipeline(body, response)).catch(() => {
      // The client went away mid-file: nothing to answer.
      response.destroy();
    });
  };
}

async function refusalOf(deps: ExportDownloadDependencies, request: IncomingMessage, url: URL, bulkExport: BulkExport): Promise<GatewayError | null> {
  const workspaceId = bulkExport.workspace.id;
  if (url.searchParams.has('signature')) {
    if (!deps.links.verify(bulkExport.id, workspaceId, url.searchParams.get('expires'), url.searchParams.get('signature'))) {
      return new GatewayError('FORBIDDEN', 'The download link is invalid or has expired: read BulkExport.url again for a fresh one');
    }
  } else {
    const clientIp = resolveClientIp(request.socket.remoteAddress ?? '', headerOf(request, 'x-forwarded-for'), deps.trustProxy);
    const principal = await deps.authenticator.authenticate(deps.orm.em.fork(), { authorization: headerOf(request, 'authorization'), apiKey: headerOf(request, 'x-api-key'), clientIp, origin: headerOf(request, 'origin') }).catch((error: unknown) => error);
    if (principal instanceof GatewayError) return principal;
    if (principal instanceof Error) throw principal;
    const reader = principal as Awaited<ReturnType<ApiKeyAuthenticator['authenticate']>>;
    const isClientToken = reader.credentialId !== reader.apiKeyId;
    if (isClientToken || reader.workspaceId !== workspaceId || !bulkExport.requiredScopes.every((scope) => reader.effectiveScopes.has(scope))) return notFound('BulkExport');
  }
  if (bulkExport.status !== 'COMPLETED') return new GatewayError('NOT_FOUND', `The export has no file: it is ${bulkExport.status}`);
  if (bulkExport.fileDeletedAt || (bulkExport.fileExpiresAt?.getTime() ?? 0) <= Date.now()) return new GatewayError('NOT_FOUND', 'The export file has expired (files are kept 7 days)', {}, 410);
  return null;
}

function contentTypeOf(bulkExport: BulkExport): string {
  if (bulkExport.compression === 'GZIP') return 'application/gzip';
  return bulkExport.format === 'CSV' ? 'text/csv; charset=utf-8' : 'application/jsonl; charset=utf-8';
}

/** One `bytes=` range as [start, end]; undefined to send the whole file; 'unsatisfiable' for 416. */
export function parseRange(header: string | undefined, size: number): [number, number] | undefined | 'unsatisfiable' {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}
