import { DriverException } from '@mikro-orm/core';
import { entities } from '../../src/server/entities';
import { connectOrm, type Orm } from '../../src/platform/database/orm';
import { queryRows } from '../../src/platform/database/prepared-statements';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('PREPARED: queryRows sends statements as prepared statements, on the right connection', () => {
  let database: TestDatabase;
  let orm: Orm;
  const statementsSeen: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection: whatever the pool hands out next is the connection that ran the statement before.
    orm = await connectOrm({ databaseUrl: database.url, entities, connectTimeoutMs: 2000, poolSize: 1, onStatement: () => {} });
    const counted = orm.config.get('onQuery');
    orm.config.set('onQuery', (sql: string, params: unknown[]) => {
      statementsSeen.push(sql);
      return counted(sql, params);
    });
    await orm.em.fork().execute('create table numbers (n int primary key)');
  });
  afterAll(async () => {
    await orm.close(true);
    await database.drop();
  });

  it('PREPARED-01 a statement is prepared once per connection under a name, with its values apart from the text', async () => {
    const em = orm.em.fork();
    const sql = 'select ?::int + 1 as answer';
    expect(await queryRows(em, sql, [41])).toEqual([{ answer: 42 }]);
    expect(await queryRows(em, sql, [1])).toEqual([{ answer: 2 }]);
    const prepared = await em.execute<{ name: string; statement: string }[]>('select name, statement from pg_prepared_statements order by name');
    expect(prepared.filter((statement) => statement.statement === 'select $1::int + 1 as answer')).toEqual([
      { name: expect.stringMatching(/^gateway_\d+$/), statement: 'select $1::int + 1 as answer' },
    ]);
  });

  it('PREPARED-02 inside a transaction it runs on the transaction’s connection: it sees the uncommitted row, and rolls back with it', async () => {
    const rollback = new Error('roll back');
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await tx.execute('insert into numbers (n) values (7)');
        expect(await queryRows(tx, 'select count(*)::int as count from numbers where n = ?', [7])).toEqual([{ count: 1 }]);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await queryRows(orm.em.fork(), 'select count(*)::int as count from numbers where n = ?', [7])).toEqual([{ count: 0 }]);
  });

  it('PREPARED-03 the ORM’s onQuery hook sees each statement (gateway_sql_statements_total counts them)', async () => {
    statementsSeen.length = 0;
    await queryRows(orm.em.fork(), 'select ?::text as greeting', ['hello']);
    expect(statementsSeen).toEqual(['select ?::text as greeting']);
  });

  it('PREPARED-04 a list value is bound as MikroORM binds it (one value per placeholder of the list), and knex’s \\? stays a question mark', async () => {
    const em = orm.em.fork();
    expect(await queryRows(em, `select 'b' in (?) as found`, [['a', 'b']])).toEqual([{ found: true }]);
    expect(await queryRows(em, `select ?::jsonb \\? 'a' as has_key`, ['{"a": 1}'])).toEqual([{ has_key: true }]);
  });

  it('PREPARED-05 a failing statement rejects with the ORM’s exception, as em.execute does', async () => {
    const failure = queryRows(orm.em.fork(), 'select 1 / ?::int as quotient', [0]);
    await expect(failure).rejects.toBeInstanceOf(DriverException);
    await expect(failure).rejects.toMatchObject({ code: '22012' });
  });
});
