import { ensureWorkspace } from '../../src/modules/workspaces';
import { operatorActor } from '../../src/policies/auth/actor';
import { createServices } from '../../src/server/services';
import type { CostBudgetSpec } from '../../src/policies/cost/cost-budget';
import type { TestGateway } from './start-gateway';
import { testPepper } from './start-gateway';

/** Creates a workspace (if needed) and a key in it, the way `gateway keys create --workspace` does. */
export async function createWorkspaceKey(gateway: TestGateway, workspaceSlug: string, scopes: string[], costBudget?: CostBudgetSpec): Promise<{ id: string; secret: string }> {
  const em = gateway.app.orm.em.fork();
  const { workspace } = await ensureWorkspace(em, workspaceSlug);
  const { apiKeys: service } = createServices({ pepper: testPepper, defaultRateLimit: { requests: 600, windowSeconds: 60 } });
  const { apiKey, secret } = await service.create(em, operatorActor(workspace.id, 'cli'), { name: `${workspaceSlug} key`, scopes, costBudget });
  return { id: apiKey.id, secret };
}
