export { AuditEntry } from './audit-entry.entity';
export { recordAudit, listAuditEntries, type AuditedChange } from './audit.service';
export { AuditResolver } from './audit.resolver';
