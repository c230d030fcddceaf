import {
  GraphQLError, Kind, getNamedType, isCompositeType, isListType, isNonNullType, isObjectType, parse, validate,
  type ArgumentNode, type DocumentNode, type FieldNode, type GraphQLCompositeType, type GraphQLNamedType, type GraphQLOutputType, type GraphQLSchema, type InlineFragmentNode, type SelectionNode, type SelectionSetNode,
} from 'graphql';
import { badUserInput } from '../../platform/errors';
import { nodeTypeByIdPrefix } from '../../platform/node';
import { afterVariable, argument, fieldNode, followUpDocument, pageOperation, selectionSet } from './export-query-ast';
import type { Principal } from '../../policies/auth/principal';
import { scopesUsedBy } from '../../policies/auth/document-scopes';
import type { BulkExportFormat } from './bulk-export.entity';

/** Rows per execution of the top-level connection, and per nested connection's page. */
export const exportPageSize = 1000;
/** Shopify's limit, for the same reason: each level multiplies the rows a page reads. */
const maxNestedConnectionLevels = 2;
const pagingArguments = new Set(['first', 'last', 'after', 'before']);
const nodeTypeNames = new Set(Object.values(nodeTypeByIdPrefix));

/** How one selected field turns into output: a value, a single object (CSV: dotted columns), or its own lines. */
export interface OutlineField {
  readonly key: string;
  readonly kind: 'value' | 'object' | 'connection';
  readonly children: readonly OutlineField[];
  /** A connection's next pages for one parent: `node(id: $id) { … on Parent { key: field(…, after: $after) } }`. */
  readonly followUp?: DocumentNode;
}

export interface ExportPlan {
  /** One page of the top-level connection: `page: field(…filters, first, after: $after) { pageInfo nodes }`. */
  readonly pageDocument: DocumentNode;
  /** What each exported node holds. */
  readonly outline: readonly OutlineField[];
  /** The scopes the query needed, as the creating key met them: readers of the export need all of them. */
  readonly requiredScopes: string[];
  /** CSV's header: every value's dotted path. */
  readonly columns: readonly string[][];
}

/**
 * Checks an export query and turns it into the queries a run executes. The query selects one
 * top-level connection of the schema, with its filters, and anything under its nodes, nested
 * connections included (JSONL only: each nested node becomes its own line with `__parentId`).
 * Validation, scopes and every resolver are the API's own, so an export holds exactly what
 * paging through the API would return.
 */
export function planExport(schema: GraphQLSchema, query: string, format: BulkExportFormat, principal: Principal): ExportPlan {
  const document = parseQuery(query);
  const errors = validate(schema, document);
  if (errors.length > 0) throw invalidQuery(errors.map((error) => error.message).join('; '));
  const requiredScopes = scopesUsedBy(schema, document, principal, 'The API key lacks a scope a field of the export query requires');
  const operation = singleQueryOperation(document);
  const roots = operation.selectionSet.selections.filter((selection) => !(selection.kind === Kind.FIELD && selection.name.value === '__typename'));
  const root = roots[0];
  if (roots.length !== 1 || root.kind !== Kind.FIELD) throw invalidQuery('Select exactly one top-level field, a connection such as conversations or customers');
  const rootField = schema.getQueryType()!.getFields()[root.name.value];
  const connectionType = getNamedType(rootField.type);
  if (!isConnection(connectionType)) throw invalidQuery(`${root.name.value} is not a connection: export a list such as conversations or customers`);
  const shaper = new SelectionShaper(schema, format);
  const shaped = shaper.shapeConnection(root, connectionType, 0, 'page');
  return {
    pageDocument: { kind: Kind.DOCUMENT, definitions: [pageOperation(shaped.field)] },
    outline: shaped.outline,
    requiredScopes,
    columns: format === 'CSV' ? columnsOf(shaped.outline) : [],
  };
}

function parseQuery(query: string): DocumentNode {
  try {
    return parse(query, { maxTokens: 10_000 });
  } catch (error) {
    throw invalidQuery(error instanceof GraphQLError ? error.message : 'The query cannot be parsed');
  }
}

function invalidQuery(message: string) {
  return badUserInput([{ field: 'input.query', message }], 'The export query is invalid');
}

function singleQueryOperation(document: DocumentNode) {
  if (document.definitions.some((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)) throw invalidQuery('Named fragments are not supported in exports; use inline fragments');
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operations[0];
  if (operations.length !== 1 || operation.kind !== Kind.OPERATION_DEFINITION || operation.operation !== 'query') throw invalidQuery('Send exactly one query operation');
  if (operation.variableDefinitions?.length) throw invalidQuery('Exports take no variables: write the values into the query');
  return operation;
}

function isConnection(type: GraphQLNamedType): type is GraphQLCompositeType & { getFields(): Record<string, { type: GraphQLOutputType }> } {
  if (!isObjectType(type)) return false;
  const fields = type.getFields();
  return 'nodes' in fields && 'edges' in fields && 'pageInfo' in fields;
}

interface ShapedField {
  readonly field: FieldNode;
  readonly outline: OutlineField[];
}

class SelectionShaper {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly format: BulkExportFormat,
  ) {}

  /**
   * A connection field as the run reads it: paging replaced by `first` (and `after: $after` for
   * the one the operation pages through), `pageInfo` and `nodes` selected.
   */
  shapeConnection(field: FieldNode, connectionType: GraphQLCompositeType & { getFields(): Record<string, { type: GraphQLOutputType }> }, level: number, alias?: string): ShapedField {
    const nodeType = getNamedType(connectionType.getFields().nodes.type) as GraphQLCompositeType;
    const nodeSelection = nodeSelectionOf(field);
    const shaped = this.shapeSelection(nodeSelection, nodeType, level, false);
    const args: ArgumentNode[] = [
      ...(field.arguments ?? []).filter((argument) => !pagingArguments.has(argument.name.value)),
      argument('first', { kind: Kind.INT, value: String(exportPageSize) }),
      ...(level === 0 ? [afterVariable] : []),
    ];
    const pageInfo = fieldNode('pageInfo', selectionSet([fieldNode('hasNextPage'), fieldNode('endCursor')]));
    return {
      field: {
        ...field,
        alias: alias ? { kind: Kind.NAME, value: alias } : field.alias,
        arguments: args,
        selectionSet: selectionSet([pageInfo, fieldNode('nodes', selectionSet(shaped.selections))]),
      },
      outline: shaped.outline,
    };
  }

  private shapeSelection(selection: SelectionSetNode, parentType: GraphQLCompositeType, level: number, insideObject: boolean): { selections: SelectionNode[]; outline: OutlineField[] } {
    const selections: SelectionNode[] = [];
    const outline: OutlineField[] = [];
    for (const node of selection.selections) {
      if (node.kind === Kind.FRAGMENT_SPREAD) throw invalidQuery('Named fragments are not supported in exports; use inline fragments');
      if (node.kind === Kind.INLINE_FRAGMENT) {
        const type = node.typeCondition ? (this.schema.getType(node.typeCondition.name.value) as GraphQLCompositeType) : parentType;
        const inner = this.shapeSelection(node.selectionSet, type, level, insideObject);
        selections.push({ ...node, selectionSet: selectionSet(inner.selections) } satisfies InlineFragmentNode);
        inner.outline.forEach((field) => mergeInto(outline, field));
        continue;
      }
      const key = node.alias?.value ?? node.name.value;
      const definition = 'getFields' in parentType ? parentType.getFields()[node.name.value] : undefined;
      if (!definition) {
        selections.push(node);
        mergeInto(outline, { key, kind: 'value', children: [] });
        continue;
      }
      const namedType = getNamedType(definition.type);
      if (isConnection(namedType)) {
        selections.push(this.nestedConnection(node, namedType, parentType, level, insideObject, outline));
        continue;
      }
      if (isCompositeType(namedType) && node.selectionSet) {
        const isList = isListType(isNonNullType(definition.type) ? definition.type.ofType : definition.type);
        const inner = this.shapeSelection(node.selectionSet, namedType, level, true);
        selections.push({ ...node, selectionSet: selectionSet(inner.selections) });
        mergeInto(outline, { key, kind: isList ? 'value' : 'object', children: isList ? [] : inner.outline });
        continue;
      }
      selections.push(node);
      mergeInto(outline, { key, kind: 'value', children: [] });
    }
    if (outline.some((field) => field.kind === 'connection') && !outline.some((field) => field.key === 'id')) {
      throw invalidQuery(`Select id on ${parentType.name}: the lines of its nested connections carry it as __parentId`);
    }
    return { selections, outline };
  }

  private nestedConnection(node: FieldNode, connectionType: Parameters<SelectionShaper['shapeConnection']>[1], parentType: GraphQLCompositeType, level: number, insideObject: boolean, outline: OutlineField[]): FieldNode {
    const key = node.alias?.value ?? node.name.value;
    if (this.format === 'CSV') throw invalidQuery(`CSV has no place for the nested connection ${key}: export it as JSONL, or export that list on its own`);
    if (insideObject) throw invalidQuery(`Select the nested connection ${key} directly on a node of a connection, not inside another object`);
    if (level + 1 > maxNestedConnectionLevels) throw invalidQuery(`At most ${maxNestedConnectionLevels} levels of nested connections`);
    if (!nodeTypeNames.has(parentType.name)) throw invalidQuery(`${parentType.name} cannot be fetched again by id, so its nested connection ${key} cannot be exported`);
    const shaped = this.shapeConnection(node, connectionType, level + 1);
    mergeInto(outline, { key, kind: 'connection', children: shaped.outline, followUp: followUpDocument(parentType.name, shaped.field) });
    return shaped.field;
  }
}

/** The node selection of a connection field: `edges { node { … } }` or `nodes { … }`. */
function nodeSelectionOf(connection: FieldNode): SelectionSetNode {
  const key = connection.alias?.value ?? connection.name.value;
  const fields = (connection.selectionSet?.selections ?? []).filter((selection): selection is FieldNode => selection.kind === Kind.FIELD);
  const viaNodes = fields.filter((field) => field.name.value === 'nodes').map((field) => field.selectionSet!);
  const viaEdges = fields
    .filter((field) => field.name.value === 'edges')
    .flatMap((edges) => (edges.selectionSet?.selections ?? []).filter((selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value === 'node'))
    .map((field) => field.selectionSet!);
  const found = [...viaNodes, ...viaEdges];
  if (found.length !== 1) throw invalidQuery(`Select the nodes of ${key} once, as edges { node { … } } or as nodes { … }`);
  return found[0];
}

function mergeInto(outline: OutlineField[], field: OutlineField): void {
  const index = outline.findIndex((existing) => existing.key === field.key);
  if (index < 0) return void outline.push(field);
  const existing = outline[index];
  if (existing.kind === 'object' && field.kind === 'object') {
    const children = [...existing.children];
    field.children.forEach((child) => mergeInto(children, child));
    outline[index] = { ...existing, children };
  }
}

function columnsOf(outline: readonly OutlineField[], prefix: string[] = []): string[][] {
  return outline.flatMap((field) => (field.kind === 'object' ? columnsOf(field.children, [...prefix, field.key]) : [[...prefix, field.key]]));
}
