import type { BulkExport } from './bulk-export.entity';

/** `bulk_export.completed` and `bulk_export.failed` carry no link: `bulkExport(id) { url }` mints one for a reader allowed to download. */
export function bulkExportEventData(bulkExport: BulkExport): Record<string, unknown> {
  return {
    bulkExport: {
      id: bulkExport.id,
      status: bulkExport.status,
      format: bulkExport.format,
      compression: bulkExport.compression,
      objectCount: bulkExport.objectCount,
      fileSize: bulkExport.fileSize,
      errorCode: bulkExport.errorCode,
      completedAt: bulkExport.completedAt?.toISOString() ?? null,
    },
  };
}
