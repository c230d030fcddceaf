import type { Agent, Team } from '../../agents';

export const userSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const groupSchema = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const listSchema = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const patchSchema = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A weak ETag from the last change: enough for If-Match, as RFC 7644 §3.14 allows. */
export const etagOf = (resource: { updatedAt: Date }) => `W/"${resource.updatedAt.getTime()}"`;

/** An agent as a SCIM User: userName is the agent's email, displayName its name. */
export function scimUser(agent: Agent, base: string): Record<string, unknown> {
  const [givenName, ...rest] = agent.name.split(' ');
  return {
    schemas: [userSchema],
    id: agent.id,
    ...(agent.externalId ? { externalId: agent.externalId } : {}),
    userName: agent.email,
    displayName: agent.name,
    name: { formatted: agent.name, givenName, familyName: rest.join(' ') || undefined },
    emails: [{ value: agent.email, type: 'work', primary: true }],
    active: agent.deactivatedAt === null,
    groups: agent.team ? [{ value: agent.team.id, $ref: `${base}/Groups/${agent.team.id}` }] : [],
    meta: { resourceType: 'User', created: agent.createdAt.toISOString(), lastModified: agent.updatedAt.toISOString(), version: etagOf(agent), location: `${base}/Users/${agent.id}` },
  };
}

export function scimGroup(team: Team, members: readonly Agent[] | null, base: string): Record<string, unknown> {
  return {
    schemas: [groupSchema],
    id: team.id,
    ...(team.externalId ? { externalId: team.externalId } : {}),
    displayName: team.name,
    ...(members ? { members: members.map((agent) => ({ value: agent.id, display: agent.name, $ref: `${base}/Users/${agent.id}` })) } : {}),
    meta: { resourceType: 'Group', created: team.createdAt.toISOString(), lastModified: team.updatedAt.toISOString(), version: etagOf(team), location: `${base}/Groups/${team.id}` },
  };
}

export const maxResultsPerPage = 200;

/** RFC 7643 §5: what this service provider supports. */
export const serviceProviderConfig = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  documentationUri: 'docs/scim.md',
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: maxResultsPerPage },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: true },
  authenticationSchemes: [{ type: 'oauthbearertoken', name: 'API key', description: 'Authorization: Bearer <API key with directory:write>', primary: true }],
};

export const resourceTypes = [
  { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', schema: userSchema, description: 'Support agents' },
  { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', schema: groupSchema, description: 'Teams' },
];

const attribute = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name, type, multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...extra,
});

export const schemas = [
  {
    id: userSchema, name: 'User', description: 'A support agent',
    attributes: [
      attribute('userName', 'string', { required: true, uniqueness: 'server' }),
      attribute('displayName', 'string'),
      attribute('name', 'complex', { subAttributes: [attribute('formatted', 'string'), attribute('givenName', 'string'), attribute('familyName', 'string')] }),
      attribute('emails', 'complex', { multiValued: true, subAttributes: [attribute('value', 'string'), attribute('type', 'string'), attribute('primary', 'boolean')] }),
      attribute('active', 'boolean'),
      attribute('externalId', 'string', { caseExact: true }),
      attribute('groups', 'complex', { multiValued: true, mutability: 'readOnly' }),
    ],
  },
  {
    id: groupSchema, name: 'Group', description: 'A team of agents',
    attributes: [
      attribute('displayName', 'string', { required: true }),
      attribute('externalId', 'string', { caseExact: true }),
      attribute('members', 'complex', { multiValued: true, subAttributes: [attribute('value', 'string', { mutability: 'immutable' }), attribute('display', 'string', { mutability: 'readOnly' })] }),
    ],
  },
];
