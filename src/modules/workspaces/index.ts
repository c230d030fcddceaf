export { Workspace } from './workspace.entity';
export { ensureWorkspace } from './workspace.service';
export { lockWorkspaceForWrite } from './workspace-write-lock';
