import DataLoader from 'dataloader';
import type { LoaderFactory } from '../../platform/request-loaders';
import { Agent, Team } from './agent.entity';

/** One query per request for all agents a page refers to. */
export const agentByIdLoader: LoaderFactory<DataLoader<string, Agent | null>> = (em) =>
  new DataLoader(async (ids) => {
    const agents = await em.find(Agent, { id: { $in: [...ids] } });
    const byId = new Map(agents.map((agent) => [agent.id, agent]));
    return ids.map((id) => byId.get(id) ?? null);
  });

export const teamByIdLoader: LoaderFactory<DataLoader<string, Team | null>> = (em) =>
  new DataLoader(async (ids) => {
    const teams = await em.find(Team, { id: { $in: [...ids] } });
    const byId = new Map(teams.map((team) => [team.id, team]));
    return ids.map((id) => byId.get(id) ?? null);
  });
