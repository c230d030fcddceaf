export { Agent, Team } from './agent.entity';
export { AgentType, TeamType, toAgentType, toTeamType } from './agent.type';
export { agentByIdLoader, teamByIdLoader } from './agent.loaders';
export { AgentResolver } from './agent.resolver';
