export * from './bulk-export.entity';
export * from './bulk-export.resolver';
export * from './bulk-export.runner';
export * from './bulk-export.service';
export * from './bulk-export.type';
export * from './export-file-store';
export * from './export-link';
export * from './bulk-export-jobs';
