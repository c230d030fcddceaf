import DataLoader from 'dataloader';
import { workspaceRowCacheKey, workspaceRowConditions, type LoaderFactory, type WorkspaceRowKey } from '../../platform/request-loaders';
import { Agent, Team } from './agent.entity';

/** One query per request for all agents a page refers to, within the caller's workspace. */
export const agentByIdLoader: LoaderFactory<DataLoader<WorkspaceRowKey, Agent | null, string>> = (em) =>
  new DataLoader(
    async (keys) => {
      const byId = new Map((await em.find(Agent, workspaceRowConditions(keys))).map((agent) => [agent.id, agent]));
      return keys.map((key) => byId.get(key.id) ?? null);
    },
    { cacheKeyFn: workspaceRowCacheKey },
  );

export const teamByIdLoader: LoaderFactory<DataLoader<WorkspaceRowKey, Team | null, string>> = (em) =>
  new DataLoader(
    async (keys) => {
      const byId = new Map((await em.find(Team, workspaceRowConditions(keys))).map((team) => [team.id, team]));
      return keys.map((key) => byId.get(key.id) ?? null);
    },
    { cacheKeyFn: workspaceRowCacheKey },
  );
