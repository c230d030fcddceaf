import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Client } from 'pg';

/**
 * Hot statements as named prepared statements, sent by node-postgres straight on a connection of
 * the ORM's pool: the reads of pages and lookups, and the idempotency record and event of every
 * mutation. `em.execute` inlines every value into the SQL text (MikroORM's formatQuery) and
 * sends it as a simple query, which PostgreSQL parses and plans on every request; a prepared
 * statement is parsed once per connection and sends only its values. In a CPU profile of the page
 * of 50, writing statements' text to PostgreSQL's socket came first among the gateway's costs.
 *
 * Inside a transaction the statement runs on the transaction's connection. With a value
 * node-postgres would bind differently from MikroORM (an array or an object), it goes through
 * `em.execute` as before.
 */

/**
 * Distinct statement texts that get a name. PostgreSQL keeps each named statement per connection,
 * so they are bounded; texts beyond the bound still run, unnamed (parsed each time).
 */
const maxNamedStatements = 500;
const statementNames = new Map<string, string>();
const nativeTexts = new Map<string, string>();

type Value = string | number | boolean | bigint | Date | null;

const isPlainValue = (value: unknown): value is Value => value === null || typeof value !== 'object' || value instanceof Date;

/** `?` placeholders as node-postgres's `$1, $2, …`, with knex's `\?` for a literal question mark. */
function nativeText(sql: string): string {
  let text = nativeTexts.get(sql);
  if (text === undefined) {
    let position = 0;
    text = sql.replace(/\\?\?/g, (match) => (match === '?' ? `$${++position}` : '?'));
    if (nativeTexts.size < maxNamedStatements * 2) nativeTexts.set(sql, text);
  }
  return text;
}

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < maxNamedStatements) {
    name = `gateway_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

interface KnexPoolClient {
  acquireConnection(): Promise<Client>;
  releaseConnection(connection: Client): Promise<unknown>;
}

/**
 * The rows of a statement written with `?` placeholders, as `em.execute(sql, values, 'all')` gives
 * them, in the caller's transaction if it has one. PostgreSQL infers each value's type from where
 * it is used; one it cannot place (a bare `select ?`) is text, so cast it (`?::int`).
 */
export async function queryRows<Row>(em: EntityManager, sql: string, values: readonly unknown[]): Promise<Row[]> {
  if (!values.every(isPlainValue)) return em.execute<Row[]>(sql, [...values], 'all');
  // The ORM's hook sees every statement, these too: it counts them (gateway_sql_statements_total).
  em.config.get('onQuery')(sql, [...values]);
  const text = nativeText(sql);
  // A knex transaction's client hands out the transaction's connection and releases nothing.
  const pool = (em.getTransactionContext<Knex.Transaction>() ?? em.getConnection().getKnex()).client as unknown as KnexPoolClient;
  const client = await pool.acquireConnection();
  try {
    return (await client.query({ name: statementName(text), text, values: values as Value[] })).rows as Row[];
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  } finally {
    await pool.releaseConnection(client);
  }
}
