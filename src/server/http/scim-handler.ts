import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ApiKeyAuthenticator } from '../../modules/api-keys';
import { resourceTypes, schemas, serviceProviderConfig } from '../../modules/directory/scim/scim-documents';
import { ScimError } from '../../modules/directory/scim/scim-error';
import { defaultListCount, maxResultsPerPage, type ListRequest, type ScimService } from '../../modules/directory/scim/scim-service';
import { actorFromPrincipal } from '../../policies/auth/actor';
import { resolveClientIp, type TrustProxySetting } from '../../policies/auth/ip-allowlist';
import { GatewayError } from '../../platform/errors';
import { httpStatusFor } from '../../platform/errors/error-codes';
import { headerOf } from './header-of';
import { readBody } from './read-body';

export interface ScimDependencies {
  readonly orm: MikroORM;
  readonly scim: ScimService;
  readonly authenticator: ApiKeyAuthenticator;
  readonly trustProxy: TrustProxySetting;
  readonly maxBodyBytes: number;
  /** Where the gateway is reached, for `meta.location`. */
  readonly publicOrigin: () => string;
}

export const scimPrefix = '/scim/v2';
const contentType = 'application/scim+json';

/**
 * `/scim/v2/…`: RFC 7644 over plain node:http. Authenticated like the API (Bearer or X-API-Key),
 * with `directory:write`; answers and errors are SCIM documents.
 */
export function createScimHandler(deps: ScimDependencies) {
  return async (request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> => {
    try {
      const answer = await handle(deps, request, requestId);
      const headers: Record<string, string> = { 'content-type': contentType, ...(answer.etag ? { etag: answer.etag } : {}), ...(answer.location ? { location: answer.location } : {}) };
      if (answer.body === undefined) return void response.writeHead(answer.status, headers).end();
      const payload = JSON.stringify(answer.body);
      response.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) }).end(payload);
    } catch (error) {
      const scimError = toScimError(error);
      const payload = JSON.stringify(scimError.toBody());
      response.writeHead(scimError.status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(payload)), ...(scimError.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) }).end(payload);
    }
  };
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly etag?: string;
  readonly location?: string;
}

async function handle(deps: ScimDependencies, request: IncomingMessage, requestId: string): Promise<Answer> {
  const url = new URL(request.url ?? '/', 'http://gateway');
  const [resource, id, ...rest] = url.pathname.slice(scimPrefix.length).split('/').filter(Boolean);
  const em = deps.orm.em.fork();
  const principal = await deps.authenticator.authenticate(em, {
    authorization: headerOf(request, 'authorization'), apiKey: headerOf(request, 'x-api-key'), clientIp: resolveClientIp(request.socket.remoteAddress ?? '', headerOf(request, 'x-forwarded-for'), deps.trustProxy),
  });
  if (!principal.effectiveScopes.has('directory:write')) throw new ScimError(403, 'SCIM provisioning needs a key with directory:write');
  const actor = actorFromPrincipal(principal, requestId);
  const base = `${deps.publicOrigin()}${scimPrefix}`;
  const method = request.method ?? 'GET';
  if (rest.length > 0) throw new ScimError(404, `No SCIM endpoint ${url.pathname}`);

  if (method === 'GET' && !id) {
    if (resource === 'ServiceProviderConfig') return { status: 200, body: serviceProviderConfig };
    if (resource === 'ResourceTypes') return { status: 200, body: listOf(resourceTypes) };
    if (resource === 'Schemas') return { status: 200, body: listOf(schemas) };
  }
  const ifMatch = headerOf(request, 'if-match');
  const body = async () => parseBody(await readBody(request, deps.maxBodyBytes));
  if (resource === 'Users') {
    if (!id && method === 'GET') return { status: 200, body: await deps.scim.listUsers(em, principal.workspaceId, base, listRequestOf(url)) };
    if (!id && method === 'POST') return created(await deps.scim.createUser(em, actor, await body(), base));
    if (id && method === 'GET') return ok(await deps.scim.getUser(em, principal.workspaceId, id, base));
    if (id && method === 'PUT') return ok(await deps.scim.replaceUser(em, actor, id, await body(), ifMatch, base));
    if (id && method === 'PATCH') return ok(await deps.scim.patchUser(em, actor, id, await body(), ifMatch, base));
    if (id && method === 'DELETE') return (await deps.scim.deleteUser(em, actor, id), { status: 204 });
  }
  if (resource === 'Groups') {
    if (!id && method === 'GET') return { status: 200, body: await deps.scim.listGroups(em, principal.workspaceId, base, listRequestOf(url)) };
    if (!id && method === 'POST') return created(await deps.scim.createGroup(em, actor, await body(), base));
    if (id && method === 'GET') return ok(await deps.scim.getGroup(em, principal.workspaceId, id, base, /\bmembers\b/.test(url.searchParams.get('excludedAttributes') ?? '')));
    if (id && method === 'PUT') return ok(await deps.scim.replaceGroup(em, actor, id, await body(), ifMatch, base));
    if (id && method === 'PATCH') return ok(await deps.scim.patchGroup(em, actor, id, await body(), ifMatch, base));
    if (id && method === 'DELETE') return (await deps.scim.deleteGroup(em, actor, id), { status: 204 });
  }
  throw new ScimError(404, `No SCIM endpoint ${method} ${url.pathname}`);
}

const ok = ({ body, etag }: { body: Record<string, unknown>; etag: string }): Answer => ({ status: 200, body, etag });
const created = ({ body, etag }: { body: Record<string, unknown>; etag: string }): Answer => ({ status: 201, body, etag, location: (body.meta as { location: string }).location });
const listOf = (resources: readonly unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources });

function listRequestOf(url: URL): ListRequest {
  const startIndex = Math.max(1, Number.parseInt(url.searchParams.get('startIndex') ?? '1', 10) || 1);
  const requested = Number.parseInt(url.searchParams.get('count') ?? String(defaultListCount), 10);
  return { filter: url.searchParams.get('filter'), startIndex, count: Math.min(maxResultsPerPage, Math.max(0, Number.isNaN(requested) ? defaultListCount : requested)), excludedAttributes: url.searchParams.get('excludedAttributes') };
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // Answered below, as SCIM asks.
  }
  throw new ScimError(400, 'The body must be a JSON object', 'invalidSyntax');
}

function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  if (error instanceof GatewayError) {
    const status = httpStatusFor(error.code);
    return new ScimError(status, status >= 500 ? 'Internal server error' : error.message);
  }
  return new ScimError(500, 'Internal server error');
}
