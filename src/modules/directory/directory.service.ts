import type { EntityManager } from '@mikro-orm/postgresql';
import { assertExpectedVersion } from '../../policies/concurrency/expected-version';
import type { Actor } from '../../policies/auth/actor';
import { GatewayError, notFound } from '../../platform/errors';
import { InputErrors } from '../../platform/validation';
import { writeTransaction } from '../../platform/database/write-transaction';
import { recordAudit } from '../audit';
import { Agent, Team } from '../agents';
import { Conversation } from '../conversations';
import { conversationSnapshot } from '../conversations/conversation.events';
import { recordEvent } from '../events';
import { lockWorkspaceForWrite } from '../workspaces';

export interface AgentFields {
  readonly name?: string;
  readonly email?: string;
  /** null: no team. */
  readonly teamId?: string | null;
  /** An identity provider's id for the agent; null removes it. */
  readonly externalId?: string | null;
}

const maxNameLength = 255;

/**
 * Provisioning of agents and teams, by GraphQL or SCIM alike. Agents are deactivated, never
 * deleted: conversations, events and analytics keep referring to them.
 */
export class DirectoryService {
  async createAgent(em: EntityManager, actor: Actor, fields: Required<Pick<AgentFields, 'name' | 'email'>> & AgentFields): Promise<Agent> {
    checkAgentFields(fields);
    return writeTransaction(em, async (tx) => {
      await lockWorkspaceForWrite(tx, actor.workspaceId);
      await assertEmailFree(tx, actor.workspaceId, fields.email, null);
      const agent = tx.create(Agent, {
        workspace: actor.workspaceId, name: fields.name.trim(), email: fields.email.trim(),
        team: fields.teamId ? await findTeam(tx, actor.workspaceId, fields.teamId) : null,
        externalId: fields.externalId ?? null,
      });
      recordAudit(tx, actor, { action: 'agent.created', targetType: 'agent', targetId: agent.id, changes: { name: agent.name, email: agent.email, teamId: fields.teamId ?? null } });
      return agent;
    });
  }

  async updateAgent(em: EntityManager, actor: Actor, id: string, fields: AgentFields, expectedVersion?: number | null): Promise<Agent> {
    checkAgentFields(fields);
    return writeTransaction(em, async (tx) => {
      await lockWorkspaceForWrite(tx, actor.workspaceId);
      const agent = await findAgent(tx, actor.workspaceId, id, expectedVersion);
      const before = agentSettings(agent);
      if (fields.email !== undefined) await assertEmailFree(tx, actor.workspaceId, fields.email, agent.id);
      if (fields.name !== undefined) agent.name = fields.name.trim();
      if (fields.email !== undefined) agent.email = fields.email.trim();
      if (fields.teamId !== undefined) agent.team = fields.teamId ? await findTeam(tx, actor.workspaceId, fields.teamId) : null;
      if (fields.externalId !== undefined) agent.externalId = fields.externalId;
      if (agentSettings(agent) !== before) agent.version += 1;
      agent.updatedAt = new Date();
      recordAudit(tx, actor, { action: 'agent.updated', targetType: 'agent', targetId: agent.id, changes: { ...fields } });
      return agent;
    });
  }

  /**
   * The documented rule: every conversation of the agent that is not RESOLVED is unassigned (its
   * team stays, so the team's queue picks it up), each with a `conversation.assigned` event;
   * resolved ones keep the agent, as analytics and history do. Deactivating twice changes nothing.
   */
  async deactivateAgent(em: EntityManager, actor: Actor, id: string, expectedVersion?: number | null): Promise<{ agent: Agent; unassignedConversationIds: string[] }> {
    return writeTransaction(em, async (tx) => {
      await lockWorkspaceForWrite(tx, actor.workspaceId);
      const agent = await findAgent(tx, actor.workspaceId, id, expectedVersion);
      if (agent.deactivatedAt) return { agent, unassignedConversationIds: [] };
      agent.deactivatedAt = new Date();
      agent.version += 1;
      agent.updatedAt = agent.deactivatedAt;
      const open = await tx.find(Conversation, { workspace: actor.workspaceId, assignee: agent.id, status: { $ne: 'resolved' } }, { populate: ['customer', 'team'], orderBy: { id: 'asc' } });
      for (const conversation of open) {
        conversation.assignee = null;
        conversation.updatedAt = agent.deactivatedAt;
        conversation.version += 1;
      }
      await tx.flush();
      for (const conversation of open) await recordEvent(tx, actor.workspaceId, 'conversation.assigned', { conversation: conversationSnapshot(conversation) });
      recordAudit(tx, actor, { action: 'agent.deactivated', targetType: 'agent', targetId: agent.id, changes: { unassignedConversationIds: open.map((conversation) => conversation.id) } });
      return { agent, unassignedConversationIds: open.map((conversation) => conversation.id) };
    });
  }

  /** Takes a deactivated agent back: new assignments are allowed again (an identity provider's `active: true`). */
  async reactivateAgent(em: EntityManager, actor: Actor, id: string): Promise<Agent> {
    return writeTransaction(em, async (tx) => {
      await lockWorkspaceForWrite(tx, actor.workspaceId);
      const agent = await findAgent(tx, actor.workspaceId, id);
      if (!agent.deactivatedAt) return agent;
      await assertEmailFree(tx, actor.workspaceId, agent.email, agent.id);
      agent.deactivatedAt = null;
      agent.version += 1;
      agent.updatedAt = new Date();
      recordAudit(tx, actor, { action: 'agent.reactivated', targetType: 'agent', targetId: agent.id, changes: {} });
      return agent;
    });
  }

  async createTeam(em: EntityManager, actor: Actor, name: string, externalId: string | null = null): Promise<Team> {
    new InputErrors().text('input.name', name, { min: 1, max: maxNameLength }).throwIfAny();
    return writeTransaction(em, async (tx) => {
      const team = tx.create(Team, { workspace: actor.workspaceId, name: name.trim(), externalId });
      recordAudit(tx, actor, { action: 'team.created', targetType: 'team', targetId: team.id, changes: { name: team.name } });
      return team;
    });
  }

  /** `name` undefined keeps it; `externalId` undefined keeps it, null removes it. */
  async updateTeam(em: EntityManager, actor: Actor, id: string, name: string | undefined, externalId?: string | null, expectedVersion?: number | null): Promise<Team> {
    if (name !== undefined) new InputErrors().text('input.name', name, { min: 1, max: maxNameLength }).throwIfAny();
    return writeTransaction(em, async (tx) => {
      await lockWorkspaceForWrite(tx, actor.workspaceId);
      const team = await findTeam(tx, actor.workspaceId, id, 'input.id');
      assertExpectedVersion(team.version, expectedVersion, 'input.expectedVersion');
      const before = teamSettings(team);
      if (name !== undefined) team.name = name.trim();
      if (externalId !== undefined) team.externalId = externalId;
      if (teamSettings(team) !== before) team.version += 1;
      team.updatedAt = new Date();
      recordAudit(tx, actor, { action: 'team.updated', targetType: 'team', targetId: team.id, changes: { name: team.name, externalId: team.externalId } });
      return team;
    });
  }

  /** Team membership: an agent works in one team, so joining this one leaves the previous one. */
  async addMembers(em: EntityManager, actor: Actor, teamId: string, agentIds: readonly string[]): Promise<void> {
    await this.setTeamOf(em, actor, teamId, agentIds, 'team.members_added');
  }

  async removeMembers(em: EntityManager, actor: Actor, teamId: string, agentIds: readonly string[]): Promise<void> {
    await this.setTeamOf(em, actor, teamId, agentIds, 'team.members_removed');
  }

  /** Deletes a team: its agents and conversations keep going without one (their references become null). */
  async deleteTeam(em: EntityManager, actor: Actor, id: string): Promise<void> {
    await writeTransaction(em, async (tx) => {
      await lockWorkspaceForWrite(tx, actor.workspaceId);
      const team = await findTeam(tx, actor.workspaceId, id, 'input.id');
      tx.remove(team);
      recordAudit(tx, actor, { action: 'team.deleted', targetType: 'team', targetId: id, changes: { name: team.name } });
    });
  }

  private async setTeamOf(em: EntityManager, actor: Actor, teamId: string, agentIds: readonly string[], action: 'team.members_added' | 'team.members_removed'): Promise<void> {
    if (agentIds.length === 0) return;
    await writeTransaction(em, async (tx) => {
      await lockWorkspaceForWrite(tx, actor.workspaceId);
      const team = await findTeam(tx, actor.workspaceId, teamId, 'input.id');
      const agents = await tx.find(Agent, { id: { $in: [...agentIds] }, workspace: actor.workspaceId });
      const missing = agentIds.filter((id) => !agents.some((agent) => agent.id === id));
      if (missing.length > 0) throw new GatewayError('NOT_FOUND', `No such agent in this workspace: ${missing.join(', ')}`, { fieldErrors: [{ field: 'members', message: 'Unknown member' }] });
      const now = new Date();
      for (const agent of agents) {
        const teamBefore = agent.team?.id;
        if (action === 'team.members_added') agent.team = team;
        else if (agent.team?.id === team.id) agent.team = null;
        if (agent.team?.id !== teamBefore) agent.version += 1;
        agent.updatedAt = now;
      }
      team.updatedAt = now;
      recordAudit(tx, actor, { action, targetType: 'team', targetId: team.id, changes: { agentIds: [...agentIds] } });
    });
  }
}

function checkAgentFields(fields: AgentFields): void {
  const errors = new InputErrors();
  if (fields.name !== undefined) errors.text('input.name', fields.name, { min: 1, max: maxNameLength });
  if (fields.email !== undefined) errors.email('input.email', fields.email);
  errors.throwIfAny();
}

/** Under the workspace's write lock, so no other change slips in between the version check and the write. */
async function findAgent(tx: EntityManager, workspaceId: string, id: string, expectedVersion?: number | null): Promise<Agent> {
  const agent = await tx.findOne(Agent, { id, workspace: workspaceId });
  if (!agent) throw notFound('Agent');
  assertExpectedVersion(agent.version, expectedVersion, 'input.expectedVersion');
  return agent;
}

/** The settings a version counts, as one comparable string. */
const agentSettings = (agent: Agent) => JSON.stringify([agent.name, agent.email, agent.team?.id ?? null, agent.externalId]);
const teamSettings = (team: Team) => JSON.stringify([team.name, team.externalId]);

async function findTeam(tx: EntityManager, workspaceId: string, id: string, field = 'input.teamId'): Promise<Team> {
  const team = await tx.findOne(Team, { id, workspace: workspaceId });
  if (!team) throw new GatewayError('NOT_FOUND', 'Team not found', { fieldErrors: [{ field, message: 'No such team in this workspace' }] });
  return team;
}

/** Two active agents never share an email: it is how identity providers and people find them. */
async function assertEmailFree(tx: EntityManager, workspaceId: string, email: string, exceptId: string | null): Promise<void> {
  const [taken] = await tx.execute<{ id: string }[]>(
    'select id from agents where workspace_id = ? and lower(email) = lower(?) and deactivated_at is null and id <> ? limit 1',
    [workspaceId, email.trim(), exceptId ?? ''],
  );
  if (taken) throw new GatewayError('CONFLICT', `Agent ${taken.id} already has this email`, { fieldErrors: [{ field: 'input.email', message: 'Another active agent has this email' }], conflictingId: taken.id });
}
