import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Where export files live. Every instance must be able to serve every file, so the default is
 * PostgreSQL, which all instances share; an object store can implement the same four calls
 * (parts map onto a multipart upload).
 */
export interface ExportFileStore {
  /** Stores part `partNumber` (from 1), starting at byte `offset` of the file; writing it again replaces it. */
  writePart(exportId: string, partNumber: number, offset: number, bytes: Buffer): Promise<void>;
  /** Drops the parts after the first `partCount`: a restarted run writes them again. */
  truncate(exportId: string, partCount: number): Promise<void>;
  /** Bytes `start` to `end` inclusive, in order, one part at a time. */
  read(exportId: string, start: number, end: number): AsyncIterable<Buffer>;
  remove(exportIds: readonly string[]): Promise<void>;
}

/** Parts as rows of bulk_export_parts. Reads fetch one part per statement, so memory stays at one part. */
export class PostgresExportFileStore implements ExportFileStore {
  constructor(private readonly em: EntityManager) {}

  async writePart(exportId: string, partNumber: number, offset: number, bytes: Buffer): Promise<void> {
    await this.em.execute(
      `insert into bulk_export_parts (export_id, part_number, byte_offset, data) values (?, ?, ?, ?)
       on conflict (export_id, part_number) do update set byte_offset = excluded.byte_offset, data = excluded.data`,
      [exportId, partNumber, offset, bytes],
    );
  }

  async truncate(exportId: string, partCount: number): Promise<void> {
    await this.em.execute('delete from bulk_export_parts where export_id = ? and part_number > ?', [exportId, partCount]);
  }

  async *read(exportId: string, start: number, end: number): AsyncIterable<Buffer> {
    const parts = await this.em.execute<{ part_number: number; byte_offset: string; byte_length: number }[]>(
      `select part_number, byte_offset, octet_length(data) as byte_length from bulk_export_parts
       where export_id = ? and byte_offset <= ? and byte_offset + octet_length(data) > ? order by part_number`,
      [exportId, end, start],
    );
    for (const part of parts) {
      const [{ data }] = await this.em.execute<{ data: Buffer }[]>('select data from bulk_export_parts where export_id = ? and part_number = ?', [exportId, part.part_number]);
      const offset = Number(part.byte_offset);
      yield data.subarray(Math.max(0, start - offset), Math.min(data.length, end - offset + 1));
    }
  }

  async remove(exportIds: readonly string[]): Promise<void> {
    if (exportIds.length === 0) return;
    // The driver spreads an array binding into a list, hence `in (?)`.
    await this.em.execute('delete from bulk_export_parts where export_id in (?)', [exportIds]);
  }
}
