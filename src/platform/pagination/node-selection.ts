import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

type FieldVisitor = (name: string, selectionSet: SelectionSetNode | undefined) => void;

/**
 * The fields a connection's query selects on its nodes, through `nodes { … }` and
 * `edges { node { … } }`, fragments included: what a page may read in its own statement.
 */
export function selectedNodeFields(info: GraphQLResolveInfo): Set<string> {
  const eachField = (selectionSet: SelectionSetNode | undefined, visit: FieldVisitor): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) visit(selection.name.value, selection.selectionSet);
      else if (selection.kind === Kind.INLINE_FRAGMENT) eachField(selection.selectionSet, visit);
      else eachField(info.fragments[selection.name.value]?.selectionSet, visit);
    }
  };
  const fields = new Set<string>();
  const addNodeFields = (selectionSet: SelectionSetNode | undefined) => eachField(selectionSet, (name) => fields.add(name));
  for (const fieldNode of info.fieldNodes) {
    eachField(fieldNode.selectionSet, (name, selectionSet) => {
      if (name === 'nodes') addNodeFields(selectionSet);
      else if (name === 'edges') eachField(selectionSet, (edgeField, nodeSelection) => edgeField === 'node' && addNodeFields(nodeSelection));
    });
  }
  return fields;
}
