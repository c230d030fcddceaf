import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { BulkExportCompression } from './bulk-export.entity';

/** A part's bytes as stored (one gzip member when compressed) and its text's length in bytes before compression (0: no line). */
export interface PartContent {
  readonly bytes: Buffer;
  readonly textLength: number;
}

/** A part of an export's file and what it holds. */
export interface ExportPart {
  /** Settles once the part is compressed: a resolver part is compressed while the next one is read. */
  readonly content: Promise<PartContent>;
  /** Objects written: one a line. */
  readonly lineCount: number;
  /** Where the part's list walk ended; null when it read nothing. */
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
}

/**
 * Compresses a part's text as it is written to `input`, in zlib's thread pool, keeping only the
 * compressed bytes: a part's text is never held whole when it is streamed in.
 */
export class ExportPartWriter {
  /** Where the part's text goes; ending it ends the part. */
  readonly input: Gzip | PassThrough;
  private readonly chunks: Buffer[] = [];

  constructor(compression: BulkExportCompression) {
    this.input = compression === 'GZIP' ? createGzip() : new PassThrough();
    this.input.on('data', (chunk: Buffer) => this.chunks.push(chunk));
  }

  /** The stored bytes and the text's length, once `input` has ended. */
  async finish(): Promise<PartContent> {
    await finished(this.input);
    const bytes = Buffer.concat(this.chunks);
    return { bytes, textLength: 'bytesWritten' in this.input ? this.input.bytesWritten : bytes.length };
  }
}
