import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, validate } from 'graphql';
import { environmentVariables } from '../../src/config/config';
import { scopes } from '../../src/policies/auth/scopes';
import { committedSchema } from '../support/committed-schema';

const root = path.resolve(__dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const documents = ['README.md', ...readdirSync(path.join(root, 'docs')).map((file) => `docs/${file}`)];
const sectionOf = (text: string, heading: string) => {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no "## ${heading}" section`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
};
/** The backticked names in the first column of a Markdown table. */
const firstColumnNames = (section: string) =>
  section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((match) => match[1]));

describe('README: the README stands alone and says what is true', () => {
  it('README-01 the configuration table lists exactly the environment variables the configuration reads', () => {
    expect([...new Set(firstColumnNames(sectionOf(readme, 'Configuration')))].sort()).toEqual([...environmentVariables].sort());
  });

  it('README-02 the scopes table lists exactly the scopes a key can hold', () => {
    expect(firstColumnNames(sectionOf(readme, 'Scopes')).sort()).toEqual([...scopes].sort());
  });

  it('README-03 every GraphQL operation in the README and docs/ is valid against schema.graphql', () => {
    const invalid: string[] = [];
    let examples = 0;
    for (const file of documents) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const [, source] of text.matchAll(/```graphql\n([\s\S]*?)```/g)) {
        const document = parse(source);
        // Schema excerpts (SDL) illustrate; operations are what a reader copies and sends.
        if (!document.definitions.every((definition) => definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION)) continue;
        examples++;
        const errors = validate(committedSchema, document);
        if (errors.length > 0) invalid.push(`${file}: ${errors.map((error) => error.message).join('; ')}`);
      }
    }
    expect(examples).toBeGreaterThanOrEqual(4);
    expect(invalid).toEqual([]);
  });

  it('README-04 the README and docs/ link only to files of the repository, and those exist', () => {
    const problems: string[] = [];
    for (const file of documents) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
        if (/^https?:\/\//.test(target)) continue;
        const resolved = path.resolve(path.dirname(path.join(root, file)), target);
        if (!resolved.startsWith(`${root}${path.sep}`) || !existsSync(resolved)) problems.push(`${file} → ${target}`);
      }
      if (/\.\.\/shared|DESIGN\.md/.test(text)) problems.push(`${file} mentions a design file outside the repository`);
    }
    expect(problems).toEqual([]);
  });
});
