import { parseArgs } from 'node:util';
import type { Config } from '../config/config';
import { ApiKey, toApiKeyType } from '../modules/api-keys';
import { ensureWorkspace } from '../modules/workspaces';
import { operatorActor } from '../policies/auth/actor';
import { parseRateLimit } from '../policies/rate-limit/rate-limit-spec';
import { parseCostBudget } from '../policies/cost/cost-budget-spec';
import { parseDurationMs } from '../config/config';
import { badUserInput } from '../platform/errors';
import type { Logger } from '../platform/observability/logger';
import { UsageError } from './usage-error';
import { withCliServices } from './cli-services';

const splitList = (text: string | undefined) => (text ?? '').split(',').map((item) => item.trim()).filter(Boolean);

/** `gateway keys create|list|revoke`. With --json the last stdout line is one JSON object. */
export async function keysCommand(config: Config, logger: Logger, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      workspace: { type: 'string', default: 'default' },
      'expires-in': { type: 'string' },
      'allow-ip': { type: 'string' },
      'rate-limit': { type: 'string' },
      'cost-budget': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const print = (human: string, json: unknown): void => {
    process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
  };

  switch (action) {
    case 'create': {
      if (!values.name) throw new UsageError('keys create needs --name');
      if (!values.scopes) throw new UsageError('keys create needs --scopes, e.g. --scopes conversations:read,customers:read');
      const rateLimit = values['rate-limit'] === undefined ? undefined : parseRateLimit(values['rate-limit']);
      if (values['rate-limit'] !== undefined && !rateLimit) throw new UsageError('--rate-limit expects e.g. 600/min, 10/s or 5000/hour');
      const costBudget = values['cost-budget'] === undefined ? undefined : parseCostBudget(values['cost-budget']);
      if (values['cost-budget'] !== undefined && !costBudget) throw new UsageError('--cost-budget expects MAX/RATE in points, e.g. 2000/100 (at most 10000000/1000000)');
      const expiresInMs = values['expires-in'] === undefined ? undefined : parseDurationMs(values['expires-in']);
      if (values['expires-in'] !== undefined && !expiresInMs) throw new UsageError('--expires-in expects e.g. 90d, 12h or 30m');
      const issued = await withCliServices(config, logger, async ({ em, apiKeys }) => {
        const { workspace } = await ensureWorkspace(em, values.workspace!);
        return apiKeys.create(em, operatorActor(workspace.id, 'cli'), {
          name: values.name!,
          scopes: splitList(values.scopes),
          allowedCidrs: splitList(values['allow-ip']),
          rateLimit,
          costBudget,
          expiresAt: expiresInMs ? new Date(Date.now() + expiresInMs) : null,
        });
      });
      const { id, name, scopes, expiresAt } = issued.apiKey;
      const { costBudget: budget } = toApiKeyType(issued.apiKey);
      return print(
        `Created API key ${id} (${name}) in workspace "${values.workspace}" with scopes ${scopes.join(', ')}.\n` +
          `Secret (shown once, store it now):\n${issued.secret}`,
        { id, secret: issued.secret, name, scopes, workspace: values.workspace, expiresAt, costBudget: budget },
      );
    }
    case 'list': {
      const keys = await withCliServices(config, logger, async ({ em }) =>
        em.find(ApiKey, { workspace: { slug: values.workspace! } }, { orderBy: { createdAt: 'desc', id: 'desc' } }),
      );
      const rows = keys.map((key) => toApiKeyType(key));
      return print(
        rows.length === 0 ? `No API keys in workspace "${values.workspace}"` : rows.map((key) => `${key.id}  ${key.status.padEnd(7)}  ${key.name}  [${key.scopes.join(',')}]`).join('\n'),
        { keys: rows },
      );
    }
    case 'revoke': {
      const id = positionals[0];
      if (!id) throw new UsageError('keys revoke needs the key id, e.g. gateway keys revoke key_abc123');
      const revoked = await withCliServices(config, logger, async ({ em, apiKeys }) => {
        const apiKey = await em.findOne(ApiKey, { id }, { populate: ['workspace'] });
        if (!apiKey) throw badUserInput([{ field: 'id', message: `No API key ${id}` }], `No API key ${id}`);
        return apiKeys.revoke(em, operatorActor(apiKey.workspace.id, 'cli'), id);
      });
      return print(`Revoked API key ${revoked.id}`, { id: revoked.id, revokedAt: revoked.revokedAt });
    }
    default:
      throw new UsageError('usage: gateway keys create|list|revoke ...');
  }
}
