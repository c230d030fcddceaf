import { ApiKey } from '../modules/api-keys';
import { AuditEntry } from '../modules/audit';
import { Workspace } from '../modules/workspaces';

/** Every MikroORM entity; the migrations in platform/database/migrations create their tables. */
export const entities = [Workspace, ApiKey, AuditEntry];
