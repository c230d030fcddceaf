import {
  Kind,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { CostSchema, FieldCost } from './cost-schema';

/** Includes or skips a field: `@include(if:)` when `isInclude`, else `@skip(if:)`. */
export interface Condition {
  readonly isInclude: boolean;
  readonly value: ValueNode;
}

export interface PlannedField {
  readonly responseKey: string;
  readonly cost: FieldCost;
  readonly definition: GraphQLField<unknown, unknown>;
  readonly node: FieldNode;
  /** From the field and every fragment around it; all must let it through. */
  readonly conditions: readonly Condition[];
  readonly selection: PlannedSelection | undefined;
}

/**
 * The fields under one object. `byType` holds fragments on concrete types under an abstract
 * one (`node(id) { ... on Conversation {…} ... on Customer {…} }`): only one of them can apply,
 * so a request is priced at the dearest.
 */
export interface PlannedSelection {
  readonly fields: readonly PlannedField[];
  readonly byType: ReadonlyMap<string, readonly PlannedField[]>;
}

/** What the limits measure of an operation, whatever its variables. */
export interface OperationShape {
  readonly depth: number;
  readonly aliases: number;
  readonly rootFields: number;
  readonly directives: number;
  /** Fields after fragment expansion: bounds the planning work itself. */
  readonly fields: number;
}

export interface OperationPlan {
  readonly operationType: OperationDefinitionNode['operation'];
  /** To coerce each request's variables as execution will (enum values, defaults, scalars). */
  readonly variableDefinitions: OperationDefinitionNode['variableDefinitions'];
  readonly shape: OperationShape;
  readonly selection: PlannedSelection;
}

/** Planning stops here: fragments spread within fragments can multiply a short document's fields without bound. */
export const maxPlannedFields = 10_000;

/** Introspection answers from the schema in memory: neither priced nor counted in depth. */
const introspectionRoots = new Set(['__schema', '__type']);

/**
 * Compiles an operation once into what pricing needs: each field's cost declarations with its
 * node, in a tree that mirrors the response. Counts depth, aliases, root fields and directives
 * on the way. Expects a document the schema has validated.
 */
export function planOperation(costs: CostSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationPlan {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const rootType = costs.schema.getRootType(operation.operation);
  if (!rootType) throw new Error(`The schema has no ${operation.operation} type`);
  const planner = new Planner(costs, fragments);
  const selection = planner.plan([operation.selectionSet], rootType, 1);
  const rootFields = selection.fields.length + [...selection.byType.values()].reduce((sum, fields) => sum + fields.length, 0);
  planner.directives += operation.directives?.length ?? 0;
  return {
    operationType: operation.operation,
    variableDefinitions: operation.variableDefinitions,
    shape: { depth: planner.depth, aliases: planner.aliases, rootFields, directives: planner.directives, fields: planner.fields },
    selection,
  };
}

/** Field nodes that share a response key: GraphQL executes them as one field, so they are priced as one. */
interface FieldGroup {
  readonly nodes: FieldNode[];
  readonly scopeType: GraphQLNamedType;
  /** The conditions shared by every node; a node without conditions makes the group unconditional. */
  conditions: readonly Condition[];
}

class Planner {
  depth = 0;
  aliases = 0;
  directives = 0;
  fields = 0;

  constructor(
    private readonly costs: CostSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  ) {}

  plan(selectionSets: readonly SelectionSetNode[], parentType: GraphQLNamedType, depth: number): PlannedSelection {
    const common = new Map<string, FieldGroup>();
    const byType = new Map<string, Map<string, FieldGroup>>();
    for (const selectionSet of selectionSets) this.collect(selectionSet, parentType, parentType, [], common, byType);
    return {
      fields: this.planGroups(common, depth),
      byType: new Map([...byType].map(([typeName, groups]) => [typeName, this.planGroups(groups, depth)])),
    };
  }

  private collect(
    selectionSet: SelectionSetNode,
    parentType: GraphQLNamedType,
    scopeType: GraphQLNamedType,
    conditions: readonly Condition[],
    groups: Map<string, FieldGroup>,
    byType: Map<string, Map<string, FieldGroup>>,
  ): void {
    for (const selection of selectionSet.selections) {
      this.directives += selection.directives?.length ?? 0;
      const selectionConditions = [...conditions, ...conditionsOf(selection.directives)];
      if (selection.kind === Kind.FIELD) {
        if (++this.fields > maxPlannedFields) throw new PlanTooLargeError(this.fields);
        if (selection.alias) this.aliases++;
        addToGroup(groups, selection, scopeType, selectionConditions);
        continue;
      }
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? this.fragments.get(selection.name.value) : selection;
      if (!fragment) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) this.directives += fragment.directives?.length ?? 0;
      const conditionType = fragment.typeCondition ? this.costs.schema.getType(fragment.typeCondition.name.value) : undefined;
      // A fragment on a concrete type under an abstract parent applies to that type only.
      if (conditionType !== undefined && isAbstractType(parentType) && isObjectType(conditionType)) {
        const typed = byType.get(conditionType.name) ?? new Map<string, FieldGroup>();
        byType.set(conditionType.name, typed);
        this.collect(fragment.selectionSet, parentType, conditionType, selectionConditions, typed, byType);
      } else {
        this.collect(fragment.selectionSet, parentType, scopeType, selectionConditions, groups, byType);
      }
    }
  }

  private planGroups(groups: ReadonlyMap<string, FieldGroup>, depth: number): PlannedField[] {
    const planned: PlannedField[] = [];
    for (const [responseKey, group] of groups) {
      const node = group.nodes[0];
      const name = node.name.value;
      if (introspectionRoots.has(name) || name === '__typename') continue;
      const definition = fieldsOf(group.scopeType)?.[name];
      if (!definition) continue;
      this.depth = Math.max(this.depth, depth);
      const childSets = group.nodes.flatMap((each) => (each.selectionSet ? [each.selectionSet] : []));
      const selection = childSets.length > 0 ? this.plan(childSets, getNamedType(definition.type), depth + 1) : undefined;
      const cost = isObjectType(group.scopeType) ? this.costs.field(group.scopeType.name, name) : undefined;
      // An interface field (Node.id) is priced as declared on the interface: a leaf, so nothing.
      planned.push({ responseKey, cost: cost ?? interfaceFieldCost(selection), definition, node, conditions: group.conditions, selection });
    }
    return planned;
  }
}

function addToGroup(groups: Map<string, FieldGroup>, node: FieldNode, scopeType: GraphQLNamedType, conditions: readonly Condition[]): void {
  const responseKey = node.alias?.value ?? node.name.value;
  const group = groups.get(responseKey);
  if (!group) {
    groups.set(responseKey, { nodes: [node], scopeType, conditions });
    return;
  }
  group.nodes.push(node);
  if (conditions.length === 0) group.conditions = [];
}

function fieldsOf(type: GraphQLNamedType): Record<string, GraphQLField<unknown, unknown>> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields() : undefined;
}

/** Thrown when fragments expand past maxPlannedFields. */
export class PlanTooLargeError extends Error {
  constructor(readonly fieldCount: number) {
    super(`The operation expands to more than ${maxPlannedFields} fields`);
  }
}

function interfaceFieldCost(selection: PlannedSelection | undefined): FieldCost {
  return { weight: selection ? 1 : 0, isList: false, listSize: undefined, sizer: undefined, weightedArguments: new Map() };
}

function conditionsOf(directives: readonly DirectiveNode[] | undefined): Condition[] {
  const conditions: Condition[] = [];
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const value = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    if (value) conditions.push({ isInclude: name === 'include', value });
  }
  return conditions;
}
