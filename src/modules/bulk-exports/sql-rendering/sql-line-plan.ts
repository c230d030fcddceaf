import { ReferenceKind, type EntityMetadata, type EntityName, type MetadataStorage } from '@mikro-orm/core';
import {
  Kind, getArgumentValues, getNamedType, isEnumType, isListType, isNonNullType, isObjectType, isScalarType,
  type DocumentNode, type FieldNode, type GraphQLField, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema, type SelectionSetNode,
} from 'graphql';
import { isoTimestampSql } from '../../../platform/database/iso-timestamp-sql';
import type { PageQuery } from '../../../platform/pagination';

/** The alias of the listed table in a page's SQL (`Pager.copyPage`). */
export const listedRowAlias = 'e0';

/** A GraphQL object type whose fields are columns of one entity, as the API returns them. */
export interface SqlRenderedType {
  readonly entity: EntityName<object>;
  /**
   * GraphQL field → entity property, for the fields whose value is the column itself (no resolver
   * changes it): a scalar, an enum whose names are its values in capitals, a list of strings, the
   * id of a many-to-one relation, or the related object (`SqlRenderedType` too).
   */
  readonly fields: Readonly<Record<string, string>>;
}

/** The list query of a top-level connection, as its resolver builds it; null for arguments it must leave to the resolver. */
export type ListQueryOf = (workspaceId: string, args: Record<string, unknown>) => PageQuery<{ id: string }> | null;

/** What an export may read with SQL instead of resolvers: which connections, and which fields of which types. */
export interface SqlRenderingSources {
  readonly lists: Readonly<Record<string, ListQueryOf>>;
  readonly types: Readonly<Record<string, SqlRenderedType>>;
}

export interface SqlLinePlan {
  readonly query: PageQuery<{ id: string }>;
  /** SQL over `e0`, the listed row, and the rows `joins` adds: the row's JSONL line without its line break. */
  readonly lineSql: string;
  /** `left join`s of the related rows the line shows, each by id within the workspace. */
  readonly joins: string;
}

const pagingArguments = new Set(['first', 'last', 'after', 'before']);
/** json_build_object takes at most 100 arguments: 50 keys and their values. */
const maxKeysPerObject = 50;

/**
 * The SQL that renders each node of an export's page as its JSON line, when every selected field
 * is a column (see `SqlRenderedType`); null otherwise, and the export runs on the resolvers.
 * PostgreSQL builds the line (`json_build_object`) as it reads the row: the gateway does not
 * parse, resolve and serialise each field, which cost about 30 µs a row on the resolver path.
 * The list's own query (filters, order, workspace) is kept as its resolver builds it.
 */
export function planSqlLines(schema: GraphQLSchema, metadata: MetadataStorage, sources: SqlRenderingSources, pageDocument: DocumentNode, workspaceId: string): SqlLinePlan | null {
  const operation = pageDocument.definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) return null;
  const root = operation.selectionSet.selections[0] as FieldNode;
  const listQueryOf = sources.lists[root.name.value];
  const rootField = schema.getQueryType()!.getFields()[root.name.value];
  if (!listQueryOf || !rootField) return null;
  const args = Object.fromEntries(Object.entries(getArgumentValues(rootField, root)).filter(([name]) => !pagingArguments.has(name)));
  const query = listQueryOf(workspaceId, args);
  const nodes = root.selectionSet?.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value === 'nodes');
  const nodeType = nodes && getNamedType(rootField.type);
  const nodeField = nodeType && isObjectType(nodeType) ? nodeType.getFields().nodes : undefined;
  if (!query || !nodes?.selectionSet || !nodeField) return null;
  const renderer = new LineRenderer(metadata, sources.types);
  const lineSql = renderer.object(nodes.selectionSet, getNamedType(nodeField.type) as GraphQLObjectType, listedRowAlias);
  return lineSql ? { query, lineSql: `(${lineSql})::text`, joins: renderer.joins.join(' ') } : null;
}

class LineRenderer {
  /** The related rows' joins, in the order their aliases were given. */
  readonly joins: string[] = [];

  constructor(
    private readonly metadata: MetadataStorage,
    private readonly types: Readonly<Record<string, SqlRenderedType>>,
  ) {}

  /** `json_build_object(…)` of the selection on the row `alias`, or null when a field is not a column. */
  object(selection: SelectionSetNode, type: GraphQLObjectType, alias: string): string | null {
    const rendered = this.types[type.name];
    if (!rendered || selection.selections.length > maxKeysPerObject) return null;
    const entity = this.metadata.find(rendered.entity as never) as EntityMetadata | undefined;
    const keys = new Set<string>();
    const pairs: string[] = [];
    for (const node of selection.selections) {
      if (node.kind !== Kind.FIELD || node.arguments?.length || node.directives?.length) return null;
      const key = node.alias?.value ?? node.name.value;
      if (keys.has(key)) return null;
      keys.add(key);
      const value = node.name.value === '__typename' ? literal(type.name) : entity && this.field(node, type.getFields()[node.name.value], rendered, entity, alias);
      if (!value) return null;
      pairs.push(`${literal(key)}, ${value}`);
    }
    return `json_build_object(${pairs.join(', ')})`;
  }

  private field(node: FieldNode, field: GraphQLField<unknown, unknown> | undefined, rendered: SqlRenderedType, entity: EntityMetadata, alias: string): string | null {
    const propertyName = rendered.fields[node.name.value];
    const property = propertyName ? entity.properties[propertyName] : undefined;
    if (!field || !property || property.persist === false) return null;
    const column = `${alias}.${quoted(property.fieldNames[0])}`;
    const type = nullableOf(field.type);
    const named = getNamedType(type);
    if (property.kind === ReferenceKind.MANY_TO_ONE) {
      if (isScalarType(named) && named.name === 'ID' && !node.selectionSet) return column;
      if (!isObjectType(named) || !node.selectionSet || this.types[named.name]?.entity !== property.targetMeta?.class) return null;
      const related = `r${this.joins.length + 1}`;
      // By id and workspace, as the API's loaders read a related row: never another workspace's.
      // A join, not a subquery per row: PostgreSQL may hash the related table once a part.
      this.joins.push(`left join ${quoted(property.targetMeta!.tableName)} ${related} on ${related}.id = ${column} and ${related}.workspace_id = ${alias}.workspace_id`);
      const object = this.object(node.selectionSet, named, related);
      return object && `case when ${related}.id is null then null else ${object} end`;
    }
    if (property.kind !== ReferenceKind.SCALAR || node.selectionSet) return null;
    if (isListType(type)) return isScalarType(getNamedType(type)) && named.name === 'String' && property.columnTypes?.[0] === 'text[]' ? column : null;
    if (isEnumType(named)) return named.getValues().every((value) => String(value.value).toUpperCase() === value.name) ? `upper(${column})` : null;
    if (!isScalarType(named)) return null;
    if (named.name === 'DateTimeISO') return isoTimestampSql(column);
    return ['ID', 'String', 'Int', 'Boolean', 'JSONObject'].includes(named.name) ? column : null;
  }
}

const nullableOf = (type: GraphQLOutputType): GraphQLOutputType => (isNonNullType(type) ? type.ofType : type);
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
const quoted = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
