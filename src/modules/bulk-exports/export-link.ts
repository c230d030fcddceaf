import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a download link works; `url` mints a fresh one on every read. */
export const exportLinkLifetimeMs = 60 * 60_000;

export interface ExportLink {
  readonly path: string;
  readonly expiresAt: Date;
}

/**
 * Signed download links, `GET /exports/<id>?expires=<unix seconds>&signature=<HMAC>`, like an
 * object store's presigned URL: whoever holds one may download until it expires, with no key.
 * The signature covers the export, its workspace and the expiry, so no part can be changed.
 */
export class ExportLinkSigner {
  constructor(private readonly secret: string) {}

  sign(exportId: string, workspaceId: string, expiresAt: Date): ExportLink {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    const signature = this.signatureOf(exportId, workspaceId, expires);
    return { path: `/exports/${exportId}?expires=${expires}&signature=${signature}`, expiresAt: new Date(expires * 1000) };
  }

  /** True when `signature` is this export's for that workspace and `expires` is still ahead. */
  verify(exportId: string, workspaceId: string, expires: string | null, signature: string | null, now = Date.now()): boolean {
    if (!expires || !/^\d{1,12}$/.test(expires) || !signature) return false;
    const expected = Buffer.from(this.signatureOf(exportId, workspaceId, Number(expires)));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected) && Number(expires) * 1000 > now;
  }

  private signatureOf(exportId: string, workspaceId: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${exportId}.${workspaceId}.${expires}`).digest('base64url');
  }
}
