export { Workspace } from './workspace.entity';
export { ensureWorkspace } from './workspace.service';
