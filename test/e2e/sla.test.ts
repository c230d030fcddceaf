import { Client } from 'pg';
import { SlaService } from '../../src/modules/sla';
import { postGraphQL } from '../support/graphql-client';
import { startGatewayWithDatabase, stopGatewayWithDatabase } from '../support/gateway-with-database';
import type { TestGateway } from '../support/start-gateway';

const calendarMutation = /* GraphQL */ `
  mutation Calendar($input: BusinessCalendarCreateInput!) { businessCalendarCreate(input: $input) { businessCalendar { id timeZone holidays } } }
`;
const policyMutation = /* GraphQL */ `
  mutation Policy($input: SlaPolicyCreateInput!) { slaPolicyCreate(input: $input) { slaPolicy { id position } } }
`;
const slaQuery = /* GraphQL */ `
  query Sla($id: ID!) { conversation(id: $id) { sla { policy { id } firstResponse { dueAt achievedAt status } nextResponse { dueAt status } resolution { dueAt status } } } }
`;

describe('SLA: policies with targets in business hours, due times exact across DST and holidays, warnings and breaches announced on time', () => {
  let gateway: TestGateway;
  let database: Client;
  let businessPolicy: string;
  let calendarPolicy: string;
  const graphql = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
  const data = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await graphql(query, variables);
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    return response.body.data!;
  };
  /** A conversation as if created at `createdAt` (the clock the targets count from). */
  const conversationAt = async (createdAt: string, priority: string, channel = 'EMAIL') => {
    const { id } = (await data(`mutation C($priority: ConversationPriority!, $channel: Channel!) { conversationCreate(input: { subject: "SLA", channel: $channel, priority: $priority }) { conversation { id } } }`, { priority, channel })).conversationCreate.conversation;
    await database.query(`update conversations set created_at = $2, last_activity_at = $2 where id = $1`, [id, createdAt]);
    await database.query(`update conversation_status_changes set changed_at = $2 where conversation_id = $1`, [id, createdAt]);
    return id as string;
  };
  const slaOf = async (id: string) => (await data(slaQuery, { id })).conversation.sla;
  const announced = async (id: string) => (await database.query(`select type, data #>> '{sla,target}' as target, data #>> '{sla,dueAt}' as due from events where type like 'conversation.sla_%' and data #>> '{conversation,id}' = $1 order by sequence`, [id])).rows;
  const check = (now: string) => new SlaService().check(gateway.app.orm, new Date(now));

  beforeAll(async () => {
    ({ gateway, database } = await startGatewayWithDatabase({ env: { WEBHOOK_POLL_INTERVAL: '1h', SLA_CHECK_INTERVAL: '1h' } }));
    const { businessCalendarCreate } = await data(calendarMutation, {
      input: { name: 'Berlin office', timeZone: 'Europe/Berlin', weeklyHours: [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })), holidays: ['2026-04-03', '2026-04-06'] },
    });
    businessPolicy = (await data(policyMutation, {
      input: { name: 'High in business hours', conditions: { priorities: ['HIGH'] }, businessCalendarId: businessCalendarCreate.businessCalendar.id, warnBeforeMinutes: 15,
        targets: [{ priority: 'HIGH', firstResponseMinutes: 120, nextResponseMinutes: 60, resolutionMinutes: 480 }] },
    })).slaPolicyCreate.slaPolicy.id;
    calendarPolicy = (await data(policyMutation, {
      input: { name: 'Everything else, around the clock', targets: [{ priority: 'NORMAL', firstResponseMinutes: 30, nextResponseMinutes: null, resolutionMinutes: null }] },
    })).slaPolicyCreate.slaPolicy.id;
  });
  afterAll(() => stopGatewayWithDatabase({ gateway, database }));

  it('SLA-01 the first policy whose conditions hold applies; due times count business hours, across the spring DST change and over holidays', async () => {
    // Friday 16:00 CET + 2 business hours = Monday 10:00 CEST (clocks went forward on Sunday): 08:00 UTC.
    const acrossDst = await conversationAt('2026-03-27T15:00:00Z', 'HIGH');
    // Thursday before Easter 16:00 CEST + 2 business hours = Tuesday 10:00, past Good Friday, the weekend and Easter Monday.
    const acrossHolidays = await conversationAt('2026-04-02T14:00:00Z', 'HIGH');
    const aroundTheClock = await conversationAt('2026-03-27T15:00:00Z', 'NORMAL');
    const none = await conversationAt('2026-03-27T15:00:00Z', 'LOW');

    const [dst, holidays, clock] = [await slaOf(acrossDst), await slaOf(acrossHolidays), await slaOf(aroundTheClock)];
    expect(dst).toMatchObject({ policy: { id: businessPolicy }, firstResponse: { dueAt: '2026-03-30T08:00:00.000Z', status: 'BREACHED' }, nextResponse: null, resolution: { dueAt: '2026-03-30T14:00:00.000Z' } });
    expect(holidays.firstResponse.dueAt).toBe('2026-04-07T08:00:00.000Z');
    expect(clock).toMatchObject({ policy: { id: calendarPolicy }, firstResponse: { dueAt: '2026-03-27T15:30:00.000Z' }, resolution: null });
    expect(await slaOf(none)).toBeNull();
  });

  it('SLA-02 the scheduled check announces a warning at warnBefore and a breach at the due time, each once, on a controlled clock; a target met in time is never announced', async () => {
    const late = await conversationAt('2026-03-27T15:00:00Z', 'HIGH');
    const answered = await conversationAt('2026-03-27T15:00:00Z', 'HIGH');
    // An agent's reply at 09:30 Berlin time, before the 10:00 due time.
    await database.query(`insert into messages (id, workspace_id, conversation_id, author_type, body, created_at) select 'msg_sla02answer000000000', workspace_id, id, 'agent', 'On it', '2026-03-30T07:30:00Z' from conversations where id = $1`, [answered]);
    await database.query(`update conversations set first_response_at = '2026-03-30T07:30:00Z' where id = $1`, [answered]);

    await check('2026-03-30T07:44:59.999Z');
    const beforeWarning = await announced(late);
    await check('2026-03-30T07:45:00.000Z');
    await check('2026-03-30T07:50:00.000Z');
    const afterWarning = await announced(late);
    await check('2026-03-30T07:59:59.999Z');
    const beforeBreach = await announced(late);
    // Two instances' checks landing at once on the due millisecond: one breach between them.
    await Promise.all([check('2026-03-30T08:00:00.000Z'), check('2026-03-30T08:00:00.000Z')]);
    const atDue = await announced(late);
    await check('2026-03-30T09:00:00.000Z');

    expect(beforeWarning).toEqual([]);
    expect(afterWarning).toEqual([{ type: 'conversation.sla_warning', target: 'firstResponse', due: '2026-03-30T08:00:00.000Z' }]);
    expect(beforeBreach).toEqual(afterWarning);
    expect(atDue).toEqual([
      { type: 'conversation.sla_warning', target: 'firstResponse', due: '2026-03-30T08:00:00.000Z' },
      { type: 'conversation.sla_breached', target: 'firstResponse', due: '2026-03-30T08:00:00.000Z' },
    ]);
    expect(await announced(late)).toEqual(atDue);
    expect((await announced(answered)).filter((event) => event.target === 'firstResponse')).toEqual([]);
    expect((await slaOf(answered)).firstResponse).toMatchObject({ achievedAt: '2026-03-30T07:30:00.000Z', status: 'ACHIEVED' });
  });

  it('SLA-07 a conversation resolved before its first-response due time has no first-response outcome; resolved after it, a breach recorded for analytics but never announced', async () => {
    const resolve = (id: string, at: string) => database.query(`update conversations set status = 'resolved', resolved_at = $2, last_activity_at = $2 where id = $1`, [id, at]);
    // Around the clock, NORMAL: first response due 30 minutes after creation, at 09:30.
    // The check looks for resolutions since its previous run, or on its first since the workspace's first policy: here, 1 March (the other came in April).
    await database.query(`update sla_policies set created_at = case when id = $1 then timestamptz '2026-03-01' else timestamptz '2026-04-01' end`, [calendarPolicy]);
    await database.query(`delete from sla_check_progress`);
    const early = await conversationAt('2026-03-10T09:00:00Z', 'NORMAL');
    const late = await conversationAt('2026-03-10T09:00:00Z', 'NORMAL');
    await resolve(early, '2026-03-10T09:10:00Z');
    await resolve(late, '2026-03-10T09:45:00Z');

    const result = await check('2026-03-10T10:00:00Z');
    const outcomes = async (id: string) => (await database.query(`select target, achieved, settled_at from sla_outcomes where conversation_id = $1`, [id])).rows;
    const durations = async (id: string) => (await database.query(`select metric, business_ms from sla_business_durations where conversation_id = $1`, [id])).rows;

    expect((await slaOf(early)).firstResponse).toBeNull();
    expect((await slaOf(late)).firstResponse).toMatchObject({ dueAt: '2026-03-10T09:30:00.000Z', achievedAt: null, status: 'BREACHED' });
    expect(await outcomes(early)).toEqual([]);
    expect(await outcomes(late)).toEqual([{ target: 'firstResponse', achieved: false, settled_at: new Date('2026-03-10T09:30:00Z') }]);
    expect(await durations(late)).toEqual([{ metric: 'resolution', business_ms: String(45 * 60_000) }]);
    expect([...(await announced(early)), ...(await announced(late))]).toEqual([]);
    expect(result.settled).toBeGreaterThanOrEqual(3);

    // A resolution committed after that run but stamped minutes before its clock is still found by the next run.
    const committedLate = await conversationAt('2026-03-10T09:00:00Z', 'NORMAL');
    await resolve(committedLate, '2026-03-10T09:55:00Z');
    await check('2026-03-10T11:00:00Z');
    expect(await outcomes(committedLate)).toEqual([{ target: 'firstResponse', achieved: false, settled_at: new Date('2026-03-10T09:30:00Z') }]);
    expect(await durations(committedLate)).toEqual([{ metric: 'resolution', business_ms: String(55 * 60_000) }]);
  });

  it('SLA-03 bad calendars and targets name their fields; policies of another workspace never apply', async () => {
    const badCalendar = await graphql(calendarMutation, { input: { name: 'Bad', timeZone: 'Mars/Olympus', weeklyHours: [{ day: 8, opens: '17:00', closes: '09:00' }], holidays: ['tomorrow'] } });
    const badPolicy = await graphql(policyMutation, { input: { name: 'Bad', targets: [{ priority: 'HIGH', firstResponseMinutes: 0, nextResponseMinutes: null, resolutionMinutes: null }] } });
    await database.query(`insert into workspaces (id, slug, name) values (gen_random_uuid(), 'sla-other', 'Other') on conflict do nothing`);
    await database.query(`insert into sla_policies (id, workspace_id, name, position, targets) select 'sla_foreign00000000000', id, 'Theirs', 0, '{"low": {"firstResponseMinutes": 1, "nextResponseMinutes": null, "resolutionMinutes": null}}' from workspaces where slug = 'sla-other'`);
    const low = await conversationAt('2026-03-27T15:00:00Z', 'LOW');

    expect((badCalendar.body.errors![0].extensions.fieldErrors as { field: string }[]).map((error) => error.field).sort()).toEqual(['input.holidays.0', 'input.timeZone', 'input.weeklyHours.0', 'input.weeklyHours.0.day']);
    expect(badPolicy.body.errors![0].extensions.fieldErrors).toEqual([{ field: 'input.targets.high.firstResponseMinutes', message: expect.any(String) }]);
    expect(await slaOf(low)).toBeNull();
    expect((await data(`{ slaPolicies { id } }`)).slaPolicies.map((policy: { id: string }) => policy.id)).toEqual([businessPolicy, calendarPolicy]);
  });
  it('SLA-08 a policy that pauses while PENDING stops the clock: nothing is announced while paused, and the due time moves by the time spent waiting on the customer', async () => {
    await data(policyMutation, { input: { name: 'Low, paused while pending', conditions: { priorities: ['LOW'] }, pauseWhilePending: true, targets: [{ priority: 'LOW', firstResponseMinutes: null, nextResponseMinutes: null, resolutionMinutes: 120 }] } });
    const setStatus = (id: string, status: string, at: string) => database.query(`update conversations set status = $2, last_activity_at = $3 where id = $1`, [id, status, at]);
    // Due at 11:00 without the pause; PENDING from 10:50 (10 minutes left) to 12:00 moves it by 70 minutes, to 12:10.
    const waiting = await conversationAt('2026-05-04T09:00:00Z', 'LOW');
    // Around the clock, NORMAL, under a policy that does not pause: first response due at 09:30 whatever the status.
    const unpaused = await conversationAt('2026-05-04T09:00:00Z', 'NORMAL');
    const resolutionEvents = async () => (await announced(waiting)).filter((event) => event.target === 'resolution');
    await setStatus(waiting, 'pending', '2026-05-04T10:50:00Z');
    await setStatus(unpaused, 'pending', '2026-05-04T09:10:00Z');

    const whilePaused = (await slaOf(waiting)).resolution;
    // Past the unpaused due time, and within warnBefore of the time the target would be due if it resumed then.
    await check('2026-05-04T11:58:00Z');
    const announcedWhilePaused = await resolutionEvents();
    await setStatus(waiting, 'open', '2026-05-04T12:00:00Z');
    await check('2026-05-04T12:09:59.999Z');
    const beforeDue = await resolutionEvents();
    await check('2026-05-04T12:10:00Z');

    expect(whilePaused).toMatchObject({ status: 'PAUSED' });
    expect(Date.parse(whilePaused.dueAt)).toBeGreaterThan(Date.now());
    expect(announcedWhilePaused).toEqual([]);
    expect(beforeDue).toEqual([{ type: 'conversation.sla_warning', target: 'resolution', due: '2026-05-04T12:10:00.000Z' }]);
    expect(await resolutionEvents()).toEqual([...beforeDue, { type: 'conversation.sla_breached', target: 'resolution', due: '2026-05-04T12:10:00.000Z' }]);
    expect((await slaOf(waiting)).resolution).toMatchObject({ dueAt: '2026-05-04T12:10:00.000Z', status: 'BREACHED' });
    expect((await database.query(`select achieved, settled_at from sla_outcomes where conversation_id = $1 and target = 'resolution'`, [waiting])).rows).toEqual([{ achieved: false, settled_at: new Date('2026-05-04T12:10:00Z') }]);
    expect((await slaOf(unpaused)).firstResponse).toMatchObject({ dueAt: '2026-05-04T09:30:00.000Z', status: 'BREACHED' });
  });
  it('SLA-09 each wait for a next response is announced on its own: a second wait after an answered one gets its warning and its breach', async () => {
    // HIGH, Berlin business hours: next response due 60 business minutes after a customer message left waiting.
    const id = await conversationAt('2026-04-14T08:00:00Z', 'HIGH');
    const message = (author: string, at: string) => database.query(
      `insert into messages (id, workspace_id, conversation_id, author_type, body, created_at) select 'msg_sla09_' || md5($2 || $3), workspace_id, id, $2, 'text', $3::timestamptz from conversations where id = $1`,
      [id, author, at],
    );
    const nextResponseEvents = async () => (await announced(id)).filter((event) => event.target === 'nextResponse');
    await message('customer', '2026-04-14T08:00:00Z');
    await message('agent', '2026-04-14T08:10:00Z');
    await database.query(`update conversations set first_response_at = '2026-04-14T08:10:00Z' where id = $1`, [id]);
    await message('customer', '2026-04-14T08:20:00Z');
    await check('2026-04-14T09:20:00Z');
    await message('agent', '2026-04-14T09:30:00Z');
    await message('customer', '2026-04-14T09:40:00Z');
    await check('2026-04-14T10:30:00Z');
    await check('2026-04-14T10:40:00Z');

    expect(await nextResponseEvents()).toEqual([
      { type: 'conversation.sla_breached', target: 'nextResponse', due: '2026-04-14T09:20:00.000Z' },
      { type: 'conversation.sla_warning', target: 'nextResponse', due: '2026-04-14T10:40:00.000Z' },
      { type: 'conversation.sla_breached', target: 'nextResponse', due: '2026-04-14T10:40:00.000Z' },
    ]);
  });
});
