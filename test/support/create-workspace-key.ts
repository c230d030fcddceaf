import { ApiKeyService } from '../../src/modules/api-keys';
import { ensureWorkspace } from '../../src/modules/workspaces';
import { operatorActor } from '../../src/policies/auth/actor';
import type { TestGateway } from './start-gateway';
import { testPepper } from './start-gateway';

/** Creates a workspace (if needed) and a key in it, the way `gateway keys create --workspace` does. */
export async function createWorkspaceKey(gateway: TestGateway, workspaceSlug: string, scopes: string[]): Promise<{ id: string; secret: string }> {
  const em = gateway.app.orm.em.fork();
  const { workspace } = await ensureWorkspace(em, workspaceSlug);
  const service = new ApiKeyService(testPepper, { requests: 600, windowSeconds: 60 });
  const { apiKey, secret } = await service.create(em, operatorActor(workspace.id, 'cli'), { name: `${workspaceSlug} key`, scopes });
  return { id: apiKey.id, secret };
}
