import { eventCatalogue, type EventType } from '../../src/modules/events/event-catalogue';
import { eventsRecordedOutsideMutations, mutationExamples, startExampleGateway, type ExampleGateway } from '../support/mutation-examples';
import { mutationDocument, schemaMutations } from '../support/committed-schema';

const mutations = schemaMutations();

describe('EVCAT: every mutation records exactly the events of the catalogue it promises', () => {
  let examples: ExampleGateway;
  beforeAll(async () => {
    examples = await startExampleGateway();
  });
  afterAll(() => examples.stop());

  const lastSequence = async () => Number((await examples.database.query(`select event_sequence from workspaces where slug = 'default'`)).rows[0].event_sequence);
  const typesRecordedAfter = async (sequence: number): Promise<string[]> =>
    (await examples.database.query(`select e.type from events e join workspaces w on w.id = e.workspace_id where w.slug = 'default' and e.sequence > $1 order by e.sequence`, [sequence])).rows.map(
      (row) => row.type,
    );

  it.each(mutationExamples.map((example, index) => [example.mutation, example.situation, example.records, index] as const))(
    'EVCAT-01 %s (%s) records %j and nothing else',
    async (name, _situation, records, index) => {
      const mutation = mutations.find((candidate) => candidate.name === name)!;
      const input = await mutationExamples[index].prepare({ ...examples.context, unique: `evcat-${index}` });
      const before = await lastSequence();
      await examples.context.admin(mutationDocument(mutation), { input });
      expect(await typesRecordedAfter(before)).toEqual(records);
    },
  );

  it('EVCAT-02 every mutation of the schema has a row above, so a new one must say which events it records', () => {
    const withRows = new Set(mutationExamples.map((example) => example.mutation));
    expect(mutations.map((mutation) => mutation.name).filter((name) => !withRows.has(name))).toEqual([]);
    expect([...withRows].filter((name) => !mutations.some((mutation) => mutation.name === name))).toEqual([]);
  });

  it('EVCAT-03 every type of the catalogue is recorded by a row above, or by a process that names its test', () => {
    const covered = new Set<string>([...mutationExamples.flatMap((example) => example.records), ...Object.keys(eventsRecordedOutsideMutations)]);
    expect((Object.keys(eventCatalogue) as EventType[]).filter((type) => !covered.has(type))).toEqual([]);
  });
});
