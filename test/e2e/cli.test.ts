import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { buildChildEnvironment, findFreePort, runGatewayCommand, spawnGatewayServer, type CommandResult, type GatewayProcess } from '../support/gateway-process';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { startGateway, testPepper, type TestGateway } from '../support/start-gateway';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const viewerQuery = /* GraphQL */ `query Viewer { viewer { apiKey { id } workspace { slug } } }`;
const apiKeysQuery = /* GraphQL */ `query ApiKeys { apiKeys(first: 100) { nodes { id } } }`;

interface CreatedKeyLine {
  readonly id: string;
  readonly secret: string;
  readonly [field: string]: unknown;
}

/** The JSON object `keys create --json` prints as its last stdout line. */
function parseLastJsonLine<T>(result: CommandResult): T {
  if (result.exitCode !== 0) throw new Error(`command failed with exit code ${result.exitCode}: ${result.stderr}`);
  const lines = result.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Every (table, column) of the public schema whose text form contains `needle`. */
async function findColumnsContaining(databaseUrl: string, needle: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = 'public' order by table_name, column_name`,
    );
    const hits: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const quotedTable = client.escapeIdentifier(table);
      const quotedColumn = client.escapeIdentifier(column);
      const { rows } = await client.query<{ count: string }>(
        `select count(*) from public.${quotedTable} where position($1 in ${quotedColumn}::text) > 0`,
        [needle],
      );
      if (Number(rows[0].count) > 0) hits.push(`${table}.${column}`);
    }
    return hits;
  } finally {
    await client.end();
  }
}

describe('CLI keys commands against DATABASE_URL', () => {
  let database: TestDatabase;
  let gateway: TestGateway;
  let dataDir: string;
  let cliEnvironment: NodeJS.ProcessEnv;

  const runKeys = (...args: string[]) => runGatewayCommand(['keys', ...args], cliEnvironment);

  beforeAll(async () => {
    database = await createTestDatabase();
    gateway = await startGateway({ database });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gateway-cli-'));
    cliEnvironment = buildChildEnvironment({ DATABASE_URL: database.url, DATA_DIR: dataDir, API_KEY_PEPPER: testPepper });
  });
  afterAll(async () => {
    await gateway?.stop();
    await database?.drop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('keys create --json prints the secret once as JSON, the key works, and no column of any table holds the secret', async () => {
    // Given a database already served by a gateway
    // When an operator creates a key from the command line
    const result = await runKeys('create', '--name', 'support bot', '--scopes', 'keys:read,conversations:read', '--json');

    // Then the last stdout line is one JSON object with the id and the secret, printed once
    const created = parseLastJsonLine<CreatedKeyLine>(result);
    expect(created.id).toMatch(/^key_/);
    expect(created.secret).toMatch(/^sgw_/);
    expect(result.stdout.split(created.secret)).toHaveLength(2);
    expect(result.stderr).toBe('');

    // And the gateway accepts the key
    const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: created.secret });
    expect(response.status).toBe(200);
    expect(response.body.data!.viewer.apiKey.id).toBe(created.id);

    // And the database stores neither the secret nor its random part, in any column
    const randomPart = created.secret.slice(created.secret.lastIndexOf('_') + 1);
    expect(randomPart.length).toBeGreaterThanOrEqual(32);
    expect(await findColumnsContaining(database.url, created.secret)).toEqual([]);
    expect(await findColumnsContaining(database.url, randomPart)).toEqual([]);
  });

  it('keys create --workspace acme creates the workspace when needed, and the key sees only that workspace', async () => {
    // Given no workspace "acme" yet (the bootstrap key lives in "default")
    // When two keys are created in "acme", the first creating the workspace and the second finding it
    const first = parseLastJsonLine<CreatedKeyLine>(await runKeys('create', '--name', 'acme one', '--scopes', 'keys:read', '--workspace', 'acme', '--json'));
    const second = parseLastJsonLine<CreatedKeyLine>(await runKeys('create', '--name', 'acme two', '--scopes', 'keys:read', '--workspace', 'acme', '--json'));

    // Then the key's viewer is workspace "acme"
    const viewer = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: first.secret });
    expect(viewer.body.data!.viewer.workspace.slug).toBe('acme');

    // And it lists exactly the keys of "acme", not the bootstrap key of "default"
    const listed = await postGraphQL(gateway.graphqlUrl, apiKeysQuery, {}, { secret: first.secret });
    const listedIds = listed.body.data!.apiKeys.nodes.map((node: { id: string }) => node.id);
    expect(listedIds.sort()).toEqual([first.id, second.id].sort());
  });

  it('keys list --json lists a created key without its secret, and keys revoke makes its next request 401', async () => {
    // Given a key created from the command line and working
    const created = parseLastJsonLine<CreatedKeyLine>(await runKeys('create', '--name', 'to revoke', '--scopes', 'keys:read', '--json'));
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: created.secret })).status).toBe(200);

    // When the keys are listed
    const listResult = await runKeys('list', '--json');

    // Then the key is there, active, and the listing holds no secret
    const { keys } = parseLastJsonLine<{ keys: { id: string; status: string }[] }>(listResult);
    expect(keys).toContainEqual(expect.objectContaining({ id: created.id, status: 'ACTIVE' }));
    expect(listResult.stdout).not.toContain(created.secret);

    // When the key is revoked
    const revokeResult = await runKeys('revoke', created.id);
    expect(revokeResult.exitCode).toBe(0);

    // Then it is refused as soon as PostgreSQL announces the change to the gateway (milliseconds)
    const response = await pollUntil(async () => {
      const answer = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: created.secret });
      return answer.status === 401 && answer;
    }, { timeoutMs: 5_000, description: 'the revoked key to be refused' });
    expect(response.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    const { keys: afterRevoke } = parseLastJsonLine<{ keys: { id: string; status: string }[] }>(await runKeys('list', '--json'));
    expect(afterRevoke).toContainEqual(expect.objectContaining({ id: created.id, status: 'REVOKED' }));
  });

  it('keys create with an unknown scope exits 1 with one stderr line naming the scope', async () => {
    const result = await runKeys('create', '--name', 'x', '--scopes', 'nope:scope');

    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gateway: .*nope:scope/);
    expect(result.stdout).not.toMatch(/sgw_/);
  });

  it('keys create --cost-budget 50/2 gives the key that bucket, which its responses then count in', async () => {
    const created = parseLastJsonLine<CreatedKeyLine>(await runKeys('create', '--name', 'budgeted', '--scopes', 'keys:read', '--cost-budget', '50/2', '--json'));
    expect(created.costBudget).toEqual({ maximumAvailable: 50, restoreRate: 2 });

    const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: created.secret });
    expect(response.headers.get('ratelimit-limit')).toBe('50');
    expect(response.body.extensions!.cost.throttleStatus).toMatchObject({ maximumAvailable: 50, restoreRate: 2 });
  });

  it.each(['50', '0/1', '20000000/1'])('keys create --cost-budget %s is a usage error: exit 2, no key', async (budget) => {
    const result = await runKeys('create', '--name', 'x', '--scopes', 'keys:read', '--cost-budget', budget);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^gateway: --cost-budget expects MAX\/RATE/);
    expect(result.stdout).toBe('');
  });

  it('keys create without --name is a usage error: exit 2', async () => {
    const result = await runKeys('create', '--scopes', 'keys:read');

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^gateway: .*--name/);
    expect(result.stdout).toBe('');
  });
});

describe('CLI with the embedded PostgreSQL (no DATABASE_URL)', () => {
  let dataDir: string;
  let server: GatewayProcess | undefined;

  const postmasterPidFile = () => path.join(dataDir, 'postgres', 'postmaster.pid');
  /** postmaster.pid: line 1 the pid, line 4 the port. */
  const readPostmaster = async () => {
    const lines = (await fs.readFile(postmasterPidFile(), 'utf8')).split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  };
  const isPortOpen = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  const isProcessAlive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gateway-embedded-'));
  });
  afterAll(async () => {
    // Only after a failed test: stop what this test started, then the PostgreSQL it left behind.
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    if (existsSync(postmasterPidFile())) {
      const { pid } = await readPostmaster().catch(() => ({ pid: 0 }));
      if (pid > 0 && isProcessAlive(pid)) process.kill(pid, 'SIGINT');
      await pollUntil(async () => !existsSync(postmasterPidFile()), { timeoutMs: 30_000, description: 'the leftover PostgreSQL to stop' }).catch(() => {});
    }
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it(
    'serve runs PostgreSQL under DATA_DIR, keys create joins it while it runs, and SIGTERM stops both cleanly',
    async () => {
      // Given a server started with no DATABASE_URL on an empty DATA_DIR
      const port = await findFreePort();
      const environment = buildChildEnvironment({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
      server = spawnGatewayServer(environment);
      const [, adminSecret] = await server.waitForStdout(/secret:\s+(sgw_\S+)/);
      const baseUrl = `http://127.0.0.1:${port}`;
      await pollUntil(async () => (await fetch(`${baseUrl}/readyz`)).status === 200, { timeoutMs: 30_000, description: '/readyz to answer 200' });
      expect((await postGraphQL(`${baseUrl}/graphql`, viewerQuery, {}, { secret: adminSecret })).status).toBe(200);
      const postmaster = await readPostmaster();

      // When keys create runs on the same DATA_DIR while the server runs
      const result = await runGatewayCommand(['keys', 'create', '--name', 'local', '--scopes', 'keys:read', '--json'], environment);

      // Then it joined the running PostgreSQL: same postmaster, still serving after the CLI exited
      const created = parseLastJsonLine<CreatedKeyLine>(result);
      expect(await readPostmaster()).toEqual(postmaster);
      expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);

      // And its key works against the running server (same pepper file, same database)
      const response = await postGraphQL(`${baseUrl}/graphql`, viewerQuery, {}, { secret: created.secret });
      expect(response.status).toBe(200);
      expect(response.body.data!.viewer.apiKey.id).toBe(created.id);

      // When the server gets SIGTERM
      server.child.kill('SIGTERM');

      // Then it exits 0, quietly, and the embedded PostgreSQL is stopped
      expect(await server.exited).toEqual({ exitCode: 0, signal: null });
      expect(server.output().stderr).toBe('');
      expect(existsSync(postmasterPidFile())).toBe(false);
      expect(await isPortOpen(postmaster.port)).toBe(false);
    },
    60_000,
  );
});
