import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { committedSchema } from '../support/committed-schema';
import { deprecationsWithoutRemovalDate, lastReleasedSchema, undeclaredBreakingChanges, unreleasedChangelog } from '../support/schema-evolution';

const currentSdl = readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8');

describe('EVOL: the schema only grows; anything that breaks clients is declared first', () => {
  it('EVOL-01 schema.graphql has no breaking change against the last released schema that CHANGELOG.md’s Unreleased section does not declare', () => {
    const released = lastReleasedSchema();
    expect(released.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(undeclaredBreakingChanges(released.sdl, currentSdl, unreleasedChangelog()).map((change) => change.description)).toEqual([]);
  });

  it('EVOL-02 the check catches what it should: a removed field, a new required argument and a narrowed type are breaking until declared', () => {
    const { sdl } = lastReleasedSchema();
    const broken = sdl
      .replace(/\n {2}"""The newest message."""\n {2}lastMessage: Message[^\n]*/, '')
      .replace('type Query {', 'type Query {\n  probe(required: Int!): Int')
      .replace(/(\n {2}subject: )String!/, '$1Int!');
    const undeclared = undeclaredBreakingChanges(sdl, broken, '').map((change) => change.description);
    expect(undeclared).toEqual(expect.arrayContaining([expect.stringContaining('lastMessage was removed')]));
    expect(undeclared.length).toBeGreaterThanOrEqual(2);
    const declared = unreleasedChangelog(`# Changelog\n\n## Unreleased\n\n### Breaking\n\n${undeclared.map((line) => `- ${line}`).join('\n')}\n\n## 0.1.0\n`);
    expect(undeclaredBreakingChanges(sdl, broken, declared)).toEqual([]);
  });

  it('EVOL-03 every deprecation says why, what to use instead, and its removal date: "… Removal: YYYY-MM-DD."', () => {
    expect(deprecationsWithoutRemovalDate(committedSchema)).toEqual([]);
    const sample = buildSchema(`
      type Query {
        old: Int @deprecated(reason: "Use newer")
        dated: Int @deprecated(reason: "Use newer, which counts archived ones too. Removal: 2027-06-01.")
        newer(first: Int @deprecated(reason: "Pages are sized by limit")): Int
      }
      enum Kind { A B @deprecated }`);
    expect(deprecationsWithoutRemovalDate(sample).map(({ coordinate }) => coordinate)).toEqual(['Query.old', 'Query.newer(first)', 'Kind.B']);
  });
});
