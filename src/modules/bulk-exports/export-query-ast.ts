import { Kind, type ArgumentNode, type DocumentNode, type FieldNode, type InlineFragmentNode, type NamedTypeNode, type SelectionNode, type SelectionSetNode, type VariableDefinitionNode } from 'graphql';

/** Small builders of the queries an export run executes: its page query and a nested connection's next page. */

export function pageOperation(field: FieldNode): DocumentNode['definitions'][number] {
  return {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as never,
    name: { kind: Kind.NAME, value: 'BulkExportPage' },
    variableDefinitions: [variable('after', 'String')],
    selectionSet: selectionSet([field]),
  };
}

/** The next page of one parent's nested connection: its nested connections in turn start at their first page. */
export function followUpDocument(parentTypeName: string, connection: FieldNode): DocumentNode {
  const onParent: InlineFragmentNode = {
    kind: Kind.INLINE_FRAGMENT,
    typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: parentTypeName } },
    selectionSet: selectionSet([{ ...connection, arguments: [...(connection.arguments ?? []), afterVariable] }]),
  };
  const nodeField: FieldNode = { ...fieldNode('node', selectionSet([onParent])), arguments: [argument('id', { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: 'id' } })] };
  return {
    kind: Kind.DOCUMENT,
    definitions: [{
      kind: Kind.OPERATION_DEFINITION,
      operation: 'query' as never,
      name: { kind: Kind.NAME, value: 'BulkExportNestedPage' },
      variableDefinitions: [variable('id', 'ID', true), variable('after', 'String')],
      selectionSet: selectionSet([nodeField]),
    }],
  };
}

export const afterVariable = argument('after', { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: 'after' } });

export function fieldNode(name: string, selections?: SelectionSetNode): FieldNode {
  return { kind: Kind.FIELD, name: { kind: Kind.NAME, value: name }, ...(selections && { selectionSet: selections }) };
}

export function selectionSet(selections: readonly SelectionNode[]): SelectionSetNode {
  return { kind: Kind.SELECTION_SET, selections };
}

export function argument(name: string, value: ArgumentNode['value']): ArgumentNode {
  return { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value };
}

export function variable(name: string, typeName: string, required = false): VariableDefinitionNode {
  const named: NamedTypeNode = { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: typeName } };
  return {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
    type: required ? { kind: Kind.NON_NULL_TYPE, type: named } : named,
  };
}
