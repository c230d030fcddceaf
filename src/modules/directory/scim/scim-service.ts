import type { EntityManager } from '@mikro-orm/postgresql';
import { parse as parseFilter } from 'scim2-parse-filter';
import type { Actor } from '../../../policies/auth/actor';
import { GatewayError } from '../../../platform/errors';
import { Agent, Team } from '../../agents';
import type { DirectoryService } from '../directory.service';
import { ScimError } from './scim-error';
import { etagOf, listSchema, maxResultsPerPage, scimGroup, scimUser } from './scim-documents';
import { booleanOf, memberIdsOf, memberInPath, patchOperationsOf } from './scim-patch';

type Json = Record<string, unknown>;

/** What a list request asks: RFC 7644 §3.4.2, `filter` with eq on the attributes identity providers match on. */
export interface ListRequest {
  readonly filter: string | null;
  readonly startIndex: number;
  readonly count: number;
  readonly excludedAttributes: string | null;
}

const userFilterColumns: Readonly<Record<string, string>> = { username: 'email', externalid: 'externalId', 'emails.value': 'email', emails: 'email' };
const groupFilterColumns: Readonly<Record<string, string>> = { displayname: 'name', externalid: 'externalId' };

/**
 * SCIM 2.0 Users (agents) and Groups (teams) for identity providers. Every change goes through
 * DirectoryService, so GraphQL and SCIM provision alike and audit alike; an agent belongs to one
 * team, so adding it to a group moves it there.
 */
export class ScimService {
  constructor(private readonly directory: DirectoryService) {}

  async listUsers(em: EntityManager, workspaceId: string, base: string, request: ListRequest): Promise<Json> {
    const where = { workspace: workspaceId, ...equalityOf(request.filter, userFilterColumns) };
    const [agents, total] = await em.findAndCount(Agent, where, { orderBy: { createdAt: 'asc', id: 'asc' }, offset: request.startIndex - 1, limit: request.count, populate: ['team'] });
    return listResponse(agents.map((agent) => scimUser(agent, base)), total, request);
  }

  async getUser(em: EntityManager, workspaceId: string, id: string, base: string): Promise<{ body: Json; etag: string }> {
    const agent = await findAgent(em, workspaceId, id);
    return { body: scimUser(agent, base), etag: etagOf(agent) };
  }

  async createUser(em: EntityManager, actor: Actor, body: Json, base: string): Promise<{ body: Json; etag: string }> {
    const fields = userFields(body);
    if (!fields.email || !fields.name) throw new ScimError(400, 'userName is required', 'invalidValue');
    const agent = await scimWrite(() => this.directory.createAgent(em, actor, { name: fields.name!, email: fields.email!, externalId: fields.externalId ?? null }));
    if (fields.active === false) await this.directory.deactivateAgent(em, actor, agent.id);
    return this.getUser(em.fork(), actor.workspaceId, agent.id, base);
  }

  async replaceUser(em: EntityManager, actor: Actor, id: string, body: Json, ifMatch: string | undefined, base: string): Promise<{ body: Json; etag: string }> {
    await assertMatches(em, actor.workspaceId, Agent, id, ifMatch);
    const fields = userFields(body);
    await this.applyUser(em, actor, id, { ...fields, externalId: fields.externalId ?? null });
    return this.getUser(em.fork(), actor.workspaceId, id, base);
  }

  async patchUser(em: EntityManager, actor: Actor, id: string, body: Json, ifMatch: string | undefined, base: string): Promise<{ body: Json; etag: string }> {
    await assertMatches(em, actor.workspaceId, Agent, id, ifMatch);
    let changes: UserFields = {};
    for (const operation of patchOperationsOf(body)) {
      if (operation.op === 'remove') {
        if (operation.path?.toLowerCase() === 'externalid') changes = { ...changes, externalId: null };
        continue;
      }
      const value = operation.path ? { [operation.path]: operation.value } : (operation.value as Json);
      changes = { ...changes, ...userFields(flattenPaths(value ?? {})) };
    }
    await this.applyUser(em, actor, id, changes);
    return this.getUser(em.fork(), actor.workspaceId, id, base);
  }

  /** Identity providers delete to deprovision; agents are deactivated, never deleted, so history stays. */
  async deleteUser(em: EntityManager, actor: Actor, id: string): Promise<void> {
    await findAgent(em, actor.workspaceId, id);
    await this.directory.deactivateAgent(em, actor, id);
  }

  async listGroups(em: EntityManager, workspaceId: string, base: string, request: ListRequest): Promise<Json> {
    const where = { workspace: workspaceId, ...equalityOf(request.filter, groupFilterColumns) };
    const [teams, total] = await em.findAndCount(Team, where, { orderBy: { createdAt: 'asc', id: 'asc' }, offset: request.startIndex - 1, limit: request.count });
    const withMembers = !/\bmembers\b/.test(request.excludedAttributes ?? '');
    const members = withMembers ? await membersOf(em, workspaceId, teams.map((team) => team.id)) : null;
    return listResponse(teams.map((team) => scimGroup(team, members?.get(team.id) ?? (members ? [] : null), base)), total, request);
  }

  async getGroup(em: EntityManager, workspaceId: string, id: string, base: string, excludeMembers = false): Promise<{ body: Json; etag: string }> {
    const team = await findTeam(em, workspaceId, id);
    const members = excludeMembers ? null : ((await membersOf(em, workspaceId, [team.id])).get(team.id) ?? []);
    return { body: scimGroup(team, members, base), etag: etagOf(team) };
  }

  async createGroup(em: EntityManager, actor: Actor, body: Json, base: string): Promise<{ body: Json; etag: string }> {
    if (typeof body.displayName !== 'string') throw new ScimError(400, 'displayName is required', 'invalidValue');
    const team = await scimWrite(() => this.directory.createTeam(em, actor, body.displayName as string, stringOrNull(body.externalId)));
    if (body.members) await scimWrite(() => this.directory.addMembers(em, actor, team.id, memberIdsOf(body.members)));
    return this.getGroup(em.fork(), actor.workspaceId, team.id, base);
  }

  async replaceGroup(em: EntityManager, actor: Actor, id: string, body: Json, ifMatch: string | undefined, base: string): Promise<{ body: Json; etag: string }> {
    await assertMatches(em, actor.workspaceId, Team, id, ifMatch);
    if (typeof body.displayName !== 'string') throw new ScimError(400, 'displayName is required', 'invalidValue');
    await scimWrite(() => this.directory.updateTeam(em, actor, id, body.displayName as string, stringOrNull(body.externalId)));
    const wanted = new Set(body.members ? memberIdsOf(body.members) : []);
    const current = ((await membersOf(em.fork(), actor.workspaceId, [id])).get(id) ?? []).map((agent) => agent.id);
    await scimWrite(() => this.directory.removeMembers(em, actor, id, current.filter((member) => !wanted.has(member))));
    await scimWrite(() => this.directory.addMembers(em, actor, id, [...wanted].filter((member) => !current.includes(member))));
    return this.getGroup(em.fork(), actor.workspaceId, id, base);
  }

  async patchGroup(em: EntityManager, actor: Actor, id: string, body: Json, ifMatch: string | undefined, base: string): Promise<{ body: Json; etag: string }> {
    await assertMatches(em, actor.workspaceId, Team, id, ifMatch);
    for (const operation of patchOperationsOf(body)) {
      const path = operation.path;
      const member = path ? memberInPath(path) : null;
      if (path && member === undefined) {
        if (/^displayName$/i.test(path) && operation.op !== 'remove') await scimWrite(() => this.directory.updateTeam(em, actor, id, String(operation.value)));
        else if (/^externalId$/i.test(path)) await scimWrite(() => this.directory.updateTeam(em, actor, id, undefined, operation.op === 'remove' ? null : stringOrNull(operation.value)));
        continue;
      }
      if (!path) {
        // Okta replaces the group's attributes with a value object: { id, displayName }.
        const value = (operation.value ?? {}) as Json;
        if (typeof value.displayName === 'string') await scimWrite(() => this.directory.updateTeam(em, actor, id, value.displayName as string));
        if (value.members) await scimWrite(() => this.directory.addMembers(em, actor, id, memberIdsOf(value.members)));
        continue;
      }
      const ids = member ? [member] : operation.value === undefined ? null : memberIdsOf(operation.value);
      if (operation.op === 'remove') {
        const current = ((await membersOf(em.fork(), actor.workspaceId, [id])).get(id) ?? []).map((agent) => agent.id);
        await scimWrite(() => this.directory.removeMembers(em, actor, id, ids ?? current));
      } else if (operation.op === 'replace') {
        await this.replaceGroup(em, actor, id, { displayName: (await findTeam(em.fork(), actor.workspaceId, id)).name, members: (ids ?? []).map((value) => ({ value })) }, undefined, base);
      } else {
        await scimWrite(() => this.directory.addMembers(em, actor, id, ids ?? []));
      }
    }
    return this.getGroup(em.fork(), actor.workspaceId, id, base);
  }

  async deleteGroup(em: EntityManager, actor: Actor, id: string): Promise<void> {
    await findTeam(em, actor.workspaceId, id);
    await this.directory.deleteTeam(em, actor, id);
  }

  private async applyUser(em: EntityManager, actor: Actor, id: string, fields: UserFields): Promise<void> {
    const { active, ...rest } = fields;
    if (Object.values(rest).some((value) => value !== undefined)) await scimWrite(() => this.directory.updateAgent(em, actor, id, rest));
    if (active === false) await this.directory.deactivateAgent(em, actor, id);
    if (active === true) await this.directory.reactivateAgent(em, actor, id);
  }
}

interface UserFields {
  readonly name?: string;
  readonly email?: string;
  readonly externalId?: string | null;
  readonly active?: boolean;
}

/** The User attributes we keep; others (title, addresses, phone numbers) are accepted and ignored, as identity providers expect. */
function userFields(body: Json): UserFields {
  const name = body.name as { formatted?: unknown; givenName?: unknown; familyName?: unknown } | undefined;
  const fromParts = [name?.givenName, name?.familyName].filter((part) => typeof part === 'string' && part).join(' ');
  const displayName = typeof body.displayName === 'string' ? body.displayName : typeof name?.formatted === 'string' ? name.formatted : fromParts || undefined;
  const userName = typeof body.userName === 'string' ? body.userName : undefined;
  return {
    name: displayName ?? (body.userName !== undefined && userName ? userName : undefined),
    email: userName,
    externalId: body.externalId === undefined ? undefined : stringOrNull(body.externalId),
    active: body.active === undefined ? undefined : booleanOf(body.active, 'active'),
  };
}

/** `{ "name.givenName": "Ana" }` (an Entra path) as `{ name: { givenName: "Ana" } }`. */
function flattenPaths(value: Json): Json {
  const result: Json = {};
  for (const [key, item] of Object.entries(value)) {
    const [head, tail] = key.split('.', 2);
    if (tail && !head.includes('[')) result[head] = { ...(result[head] as Json | undefined), [tail]: item };
    else if (/^emails\[.*\]\.value$/i.test(key)) result.emails = [{ value: item }];
    else result[key] = item;
  }
  return result;
}

const stringOrNull = (value: unknown) => (typeof value === 'string' && value ? value : null);

function equalityOf(filter: string | null, columns: Readonly<Record<string, string>>): Record<string, unknown> {
  if (!filter) return {};
  let parsed: { op?: string; attrPath?: string; compValue?: unknown };
  try {
    parsed = parseFilter(filter) as typeof parsed;
  } catch {
    throw new ScimError(400, `The filter cannot be parsed: ${filter}`, 'invalidFilter');
  }
  const column = columns[String(parsed.attrPath ?? '').toLowerCase()];
  if (parsed.op !== 'eq' || !column || typeof parsed.compValue !== 'string') {
    throw new ScimError(400, `Supported filters: ${Object.keys(columns).join(', ')} with eq`, 'invalidFilter');
  }
  return { [column]: column === 'email' || column === 'name' ? { $ilike: parsed.compValue.replace(/[\\%_]/g, (c) => `\\${c}`) } : parsed.compValue };
}

function listResponse(resources: Json[], total: number, request: ListRequest): Json {
  return { schemas: [listSchema], totalResults: total, startIndex: request.startIndex, itemsPerPage: resources.length, Resources: resources };
}

async function membersOf(em: EntityManager, workspaceId: string, teamIds: readonly string[]): Promise<Map<string, Agent[]>> {
  const agents = teamIds.length ? await em.find(Agent, { workspace: workspaceId, team: { $in: [...teamIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } }) : [];
  const byTeam = new Map<string, Agent[]>();
  for (const agent of agents) byTeam.set(agent.team!.id, [...(byTeam.get(agent.team!.id) ?? []), agent]);
  return byTeam;
}

async function findAgent(em: EntityManager, workspaceId: string, id: string): Promise<Agent> {
  const agent = await em.findOne(Agent, { id, workspace: workspaceId }, { populate: ['team'] });
  if (!agent) throw new ScimError(404, `User ${id} not found`);
  return agent;
}

async function findTeam(em: EntityManager, workspaceId: string, id: string): Promise<Team> {
  const team = await em.findOne(Team, { id, workspace: workspaceId });
  if (!team) throw new ScimError(404, `Group ${id} not found`);
  return team;
}

/** RFC 7644 §3.14: a write with If-Match applies only to the version named. */
async function assertMatches(em: EntityManager, workspaceId: string, entity: typeof Agent | typeof Team, id: string, ifMatch: string | undefined): Promise<void> {
  const found = entity === Agent ? await findAgent(em.fork(), workspaceId, id) : await findTeam(em.fork(), workspaceId, id);
  if (ifMatch && ifMatch !== '*' && ifMatch !== etagOf(found)) throw new ScimError(412, `The resource changed: its version is ${etagOf(found)}`);
}

/** The directory's errors in SCIM's words. */
async function scimWrite<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    if (error.code === 'CONFLICT') throw new ScimError(409, error.message, 'uniqueness');
    if (error.code === 'NOT_FOUND') throw new ScimError(404, error.message, 'noTarget');
    if (error.code === 'BAD_USER_INPUT') throw new ScimError(400, ((error.details.fieldErrors as { message: string }[] | undefined) ?? []).map((field) => field.message).join('; ') || error.message, 'invalidValue');
    throw error;
  }
}

export const defaultListCount = 100;
export { maxResultsPerPage };
