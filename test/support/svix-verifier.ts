import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ReceivedWebhook } from './start-webhook-receiver';

const runFile = promisify(execFile);
const repositoryRoot = path.resolve(__dirname, '../..');
// svix ships ESM only, which Jest cannot require on Node 20, so its verifier runs in a child Node.
const svixVerifierScript = `
  import { Webhook } from 'svix';
  const { body, headers, secrets } = JSON.parse(process.argv[1]);
  const accepts = secrets.map((secret) => { try { new Webhook(secret).verify(body, headers); return true; } catch { return false; } });
  process.stdout.write(JSON.stringify(accepts));`;

/** For each secret, whether Svix's `Webhook.verify` accepts the webhook as received (it reads the unbranded `webhook-*` headers itself). */
export async function svixAccepts(webhook: ReceivedWebhook, secrets: string[]): Promise<boolean[]> {
  const input = JSON.stringify({ body: webhook.body, headers: webhook.headers, secrets });
  const { stdout } = await runFile(process.execPath, ['--input-type=module', '-e', svixVerifierScript, input], { cwd: repositoryRoot });
  return JSON.parse(stdout);
}
