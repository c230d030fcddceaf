import { Client } from 'pg';
import { createApiKey } from '../support/api-keys';
import { startGatewayWithDatabase, stopGatewayWithDatabase } from '../support/gateway-with-database';
import type { TestGateway } from '../support/start-gateway';

const userSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
const groupSchema = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const patchSchema = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface ScimAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly etag: string | null;
  readonly body: any;
}

describe('SCIM: agents and teams provisioned by Okta and Microsoft Entra ID over SCIM 2.0', () => {
  let gateway: TestGateway;
  let database: Client;
  let secret: string;
  beforeAll(async () => {
    ({ gateway, database } = await startGatewayWithDatabase({ env: { WEBHOOK_POLL_INTERVAL: '1h' } }));
    secret = (await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { name: 'identity provider', scopes: ['directory:write'] })).secret;
  });
  afterAll(() => stopGatewayWithDatabase({ gateway, database }));

  /** One request as the identity provider sends it, recorded: method, path (with query), body. */
  async function scim(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, key = secret): Promise<ScimAnswer> {
    const response = await fetch(`${gateway.url}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, accept: 'application/scim+json', ...(body ? { 'content-type': 'application/scim+json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), etag: response.headers.get('etag'), body: text ? JSON.parse(text) : null };
  }
  const agentRow = async (id: string) => (await database.query('select name, email, external_id, team_id, deactivated_at is not null as deactivated from agents where id = $1', [id])).rows[0];

  it('SCIM-01 Okta’s user lifecycle: look up, create, read, deactivate, reactivate, replace the profile', async () => {
    const lookup = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "jane.doe@example.com"')}&startIndex=1&count=100`);
    const created = await scim('POST', '/Users', {
      schemas: [userSchema], userName: 'jane.doe@example.com', name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [{ primary: true, value: 'jane.doe@example.com', type: 'work' }], displayName: 'Jane Doe', locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7', groups: [], active: true,
    });
    const id = created.body.id as string;
    const read = await scim('GET', `/Users/${id}`);
    const deactivated = await scim('PATCH', `/Users/${id}`, { schemas: [patchSchema], Operations: [{ op: 'replace', value: { active: false } }] });
    const deactivatedRow = await agentRow(id);
    const reactivated = await scim('PATCH', `/Users/${id}`, { schemas: [patchSchema], Operations: [{ op: 'replace', value: { active: true } }] });
    const replaced = await scim('PUT', `/Users/${id}`, { schemas: [userSchema], id, userName: 'jane.doe@example.com', name: { givenName: 'Jane', familyName: 'Smith' }, active: true, externalId: '00ujl29u0le5T6Aj10h7' });

    expect(lookup).toMatchObject({ status: 200, body: { totalResults: 0, Resources: [] } });
    expect(created).toMatchObject({ status: 201, contentType: 'application/scim+json', body: { id: expect.stringMatching(/^agt_/), userName: 'jane.doe@example.com', displayName: 'Jane Doe', active: true, externalId: '00ujl29u0le5T6Aj10h7', meta: { resourceType: 'User', location: expect.stringContaining(`/scim/v2/Users/${id}`) } } });
    expect(read.body).toEqual(created.body);
    expect(read.etag).toBe(created.body.meta.version);
    expect(deactivated.body.active).toBe(false);
    expect(deactivatedRow).toMatchObject({ deactivated: true });
    expect(reactivated.body.active).toBe(true);
    expect(replaced.body).toMatchObject({ displayName: 'Jane Smith', active: true });
    expect(await agentRow(id)).toEqual({ name: 'Jane Smith', email: 'jane.doe@example.com', external_id: '00ujl29u0le5T6Aj10h7', team_id: null, deactivated: false });
    const lookedUp = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "JANE.DOE@example.com"')}`);
    expect(lookedUp.body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
  });

  it('SCIM-02 Okta’s group push: create, add a member, remove it by path, rename, delete; membership is the agent’s team', async () => {
    const user = (await scim('POST', '/Users', { schemas: [userSchema], userName: 'okta.member@example.com', name: { givenName: 'Okta', familyName: 'Member' }, active: true })).body;
    const group = await scim('POST', '/Groups', { schemas: [groupSchema], displayName: 'Support', members: [] });
    const id = group.body.id as string;
    const added = await scim('PATCH', `/Groups/${id}`, { schemas: [patchSchema], Operations: [{ op: 'add', path: 'members', value: [{ value: user.id, display: 'okta.member@example.com' }] }] });
    const teamAfterAdd = (await agentRow(user.id)).team_id;
    const removed = await scim('PATCH', `/Groups/${id}`, { schemas: [patchSchema], Operations: [{ op: 'remove', path: `members[value eq "${user.id}"]` }] });
    const renamed = await scim('PATCH', `/Groups/${id}`, { schemas: [patchSchema], Operations: [{ op: 'replace', value: { id, displayName: 'Support EU' } }] });
    const deleted = await scim('DELETE', `/Groups/${id}`);
    const gone = await scim('GET', `/Groups/${id}`);

    expect(group).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^team_/), displayName: 'Support', members: [] } });
    expect(added.body.members).toEqual([expect.objectContaining({ value: user.id })]);
    expect(teamAfterAdd).toBe(id);
    expect(removed.body.members).toEqual([]);
    expect(renamed.body.displayName).toBe('Support EU');
    expect(deleted.status).toBe(204);
    expect(gone).toMatchObject({ status: 404, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' } });
  });

  it('SCIM-03 Microsoft Entra ID’s sequence: filter by userName and externalId, path-style PATCH with "False", group membership by value lists, delete', async () => {
    const userName = 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081@testuser.com';
    const empty = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    const created = await scim('POST', '/Users', {
      schemas: [userSchema, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'], externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', userName, active: true,
      emails: [{ primary: true, type: 'work', value: userName }], meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' }, roles: [],
    });
    const id = created.body.id as string;
    const byExternalId = await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`);
    const patched = await scim('PATCH', `/Users/${id}`, {
      schemas: [patchSchema],
      Operations: [{ op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' }, { op: 'Replace', path: 'displayName', value: 'givenName updatedFamilyName' }],
    });
    const group = await scim('POST', '/Groups', { schemas: [groupSchema], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', meta: { resourceType: 'Group' } });
    const groupId = group.body.id as string;
    const groupLookup = await scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}`);
    const memberAdded = await scim('PATCH', `/Groups/${groupId}`, { schemas: [patchSchema], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }] });
    const memberRemoved = await scim('PATCH', `/Groups/${groupId}`, { schemas: [patchSchema], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: id }] }] });
    const groupRenamed = await scim('PATCH', `/Groups/${groupId}`, { schemas: [patchSchema], Operations: [{ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }] });
    const disabled = await scim('PATCH', `/Users/${id}`, { schemas: [patchSchema], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    const deleted = await scim('DELETE', `/Users/${id}`);
    const afterDelete = await scim('GET', `/Users/${id}`);

    expect(empty.body.totalResults).toBe(0);
    expect(created.status).toBe(201);
    expect(byExternalId.body.Resources.map((user: { id: string }) => user.id)).toEqual([id]);
    expect(patched.body).toMatchObject({ displayName: 'givenName updatedFamilyName', userName });
    expect(groupLookup.body.Resources).toEqual([expect.objectContaining({ id: groupId, externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159' })]);
    expect(groupLookup.body.Resources[0].members).toBeUndefined();
    expect(memberAdded.body.members.map((member: { value: string }) => member.value)).toEqual([id]);
    expect(memberRemoved.body.members).toEqual([]);
    expect(groupRenamed.body.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
    expect(disabled.body.active).toBe(false);
    // Deprovisioning deactivates: the agent stays for history, inactive.
    expect(deleted.status).toBe(204);
    expect(afterDelete.body).toMatchObject({ id, active: false });
  });

  it('SCIM-04 errors are SCIM documents: 401 without a key, 403 without directory:write, 409 for a taken userName, 400 for an unsupported filter, 412 for a stale If-Match, 404 for another workspace’s agent', async () => {
    const reader = (await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read'] })).secret;
    const user = (await scim('POST', '/Users', { schemas: [userSchema], userName: 'errors@example.com', active: true })).body;
    const [{ id: foreignAgent }] = (await database.query(`insert into workspaces (id, slug, name) values (gen_random_uuid(), 'scim-other', 'Other') returning id`)).rows;
    await database.query(`insert into agents (id, workspace_id, name, email) values ('agt_scimforeign000000000', $1, 'Theirs', 'theirs@example.com')`, [foreignAgent]);

    const answers = {
      noKey: await scim('GET', '/Users', undefined, {}, 'sgw_aaaaaaaaaaaaaaaaaaaa_' + 'A'.repeat(43)),
      noScope: await scim('GET', '/Users', undefined, {}, reader),
      taken: await scim('POST', '/Users', { schemas: [userSchema], userName: 'ERRORS@example.com', active: true }),
      filter: await scim('GET', `/Users?filter=${encodeURIComponent('title co "x"')}`),
      stale: await scim('PATCH', `/Users/${user.id}`, { schemas: [patchSchema], Operations: [{ op: 'replace', path: 'displayName', value: 'New' }] }, { 'if-match': 'W/"1"' }),
      fresh: await scim('PATCH', `/Users/${user.id}`, { schemas: [patchSchema], Operations: [{ op: 'replace', path: 'displayName', value: 'New' }] }, { 'if-match': user.meta.version }),
      foreign: await scim('GET', '/Users/agt_scimforeign000000000'),
    };

    expect(Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, [answer.status, answer.body?.scimType ?? null]]))).toEqual({
      noKey: [401, null], noScope: [403, null], taken: [409, 'uniqueness'], filter: [400, 'invalidFilter'], stale: [412, null], fresh: [200, null], foreign: [404, null],
    });
    for (const answer of [answers.noKey, answers.taken, answers.foreign]) {
      expect(answer).toMatchObject({ contentType: 'application/scim+json', body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(answer.status), detail: expect.any(String) } });
    }
  });

  it('SCIM-05 discovery documents and paging: ServiceProviderConfig, ResourceTypes, Schemas; startIndex and count', async () => {
    const [config, types, schemaList] = [await scim('GET', '/ServiceProviderConfig'), await scim('GET', '/ResourceTypes'), await scim('GET', '/Schemas')];
    for (let index = 0; index < 3; index++) await scim('POST', '/Users', { schemas: [userSchema], userName: `page${index}@example.com`, active: true });
    const all = (await scim('GET', '/Users?count=200')).body;
    const second = (await scim('GET', '/Users?startIndex=2&count=2')).body;

    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, etag: { supported: true }, bulk: { supported: false } });
    expect(types.body.Resources.map((type: { id: string }) => type.id)).toEqual(['User', 'Group']);
    expect(schemaList.body.Resources.map((schema: { id: string }) => schema.id)).toEqual([userSchema, groupSchema]);
    expect(second).toMatchObject({ totalResults: all.totalResults, startIndex: 2, itemsPerPage: 2 });
    expect(second.Resources.map((user: { id: string }) => user.id)).toEqual(all.Resources.slice(1, 3).map((user: { id: string }) => user.id));
    // Only the key's workspace: SCIM-04 planted an agent and here a team in another one.
    await database.query(`insert into teams (id, workspace_id, name) select 'team_scimforeign00000000', id, 'Theirs' from workspaces where slug = 'scim-other'`);
    const ours = (await database.query(`select a.id from agents a join workspaces w on w.id = a.workspace_id where w.slug = 'default' order by a.id`)).rows.map((row) => row.id);
    const groups = (await scim('GET', '/Groups?count=200')).body;
    expect(all.Resources.map((user: { id: string }) => user.id).sort()).toEqual(ours);
    expect(all.totalResults).toBe(ours.length);
    expect(groups.Resources.map((group: { id: string }) => group.id)).not.toContain('team_scimforeign00000000');
  });
});
