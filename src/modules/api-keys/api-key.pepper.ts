import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The HMAC key for API key hashes. It never lives in the database, so a database dump alone
 * cannot be used to test guesses. Deployments set API_KEY_PEPPER; a local install keeps a
 * generated one in DATA_DIR (mode 0600), shared by the server and the CLI.
 */
export async function resolveApiKeyPepper(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, 'api-key-pepper');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const pepper = randomBytes(32).toString('base64url');
  try {
    await writeFile(file, pepper, { mode: 0o600, flag: 'wx' });
    return pepper;
  } catch (error) {
    // Another process (server or CLI) created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim();
    throw error;
  }
}
