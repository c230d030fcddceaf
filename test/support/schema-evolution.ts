import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges, isEnumType, isInputObjectType, isInterfaceType, isObjectType, type BreakingChange, type GraphQLSchema } from 'graphql';

const root = path.resolve(__dirname, '../..');
export const releasesDir = path.join(root, 'schema-releases');

/** The newest released schema: `schema-releases/<semver>.graphql`, compared by version, not by name. */
export function lastReleasedSchema(): { version: string; sdl: string } {
  const versions = readdirSync(releasesDir)
    .filter((file) => /^\d+\.\d+\.\d+\.graphql$/.test(file))
    .map((file) => file.replace(/\.graphql$/, ''))
    .sort((a, b) => {
      const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
  const version = versions.at(-1)!;
  return { version, sdl: readFileSync(path.join(releasesDir, `${version}.graphql`), 'utf8') };
}

/** The "Unreleased" section of CHANGELOG.md: where a breaking change must be declared before it lands. */
export function unreleasedChangelog(changelog = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8')): string {
  const start = changelog.indexOf('## Unreleased');
  if (start < 0) return '';
  const next = changelog.indexOf('\n## ', start + 1);
  return changelog.slice(start, next < 0 ? undefined : next);
}

/** Breaking changes from `released` to `current` that the changelog text does not name word for word. */
export function undeclaredBreakingChanges(releasedSdl: string, currentSdl: string, changelog: string): BreakingChange[] {
  return findBreakingChanges(buildSchema(releasedSdl), buildSchema(currentSdl)).filter((change) => !changelog.includes(change.description));
}

/** Deprecations (fields, arguments, input fields, enum values) whose reason does not end with "Removal: YYYY-MM-DD." */
export function deprecationsWithoutRemovalDate(schema: GraphQLSchema): { coordinate: string; reason: string }[] {
  const found: { coordinate: string; reason: string }[] = [];
  const check = (coordinate: string, reason: string | null | undefined) => {
    if (reason != null && !/\S.{10,}Removal: \d{4}-\d{2}-\d{2}\.?$/.test(reason)) found.push({ coordinate, reason });
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.deprecationReason);
        for (const argument of field.args) check(`${type.name}.${field.name}(${argument.name})`, argument.deprecationReason);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.deprecationReason);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.deprecationReason);
    }
  }
  return found;
}
