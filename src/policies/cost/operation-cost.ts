import { getArgumentValues, valueFromASTUntyped, type ValueNode } from 'graphql';
import type { InputCost } from './cost-schema';
import type { Condition, PlannedField, PlannedSelection } from './operation-plan';

export type Variables = Readonly<Record<string, unknown>>;

/**
 * The most an operation can cost with these variables: each field's weight times the items it
 * may return (docs/cost.md). An upper bound, taken from the budget before execution.
 */
export function requestedCost(selection: PlannedSelection, variables: Variables): number {
  return selectionCost(selection, variables, undefined);
}

/**
 * What the operation did cost: the same weights, counted over the response instead of the
 * requested sizes. A null or absent field costs nothing but its arguments.
 */
export function actualCost(selection: PlannedSelection, variables: Variables, data: unknown): number {
  if (data === null || typeof data !== 'object') return 0;
  let cost = 0;
  for (const field of selection.fields) cost += actualFieldCost(field, variables, (data as Record<string, unknown>)[field.responseKey]);
  for (const fields of selection.byType.values()) {
    for (const field of fields) cost += actualFieldCost(field, variables, (data as Record<string, unknown>)[field.responseKey]);
  }
  return cost;
}

function selectionCost(selection: PlannedSelection, variables: Variables, sizes: Readonly<Record<string, number>> | undefined): number {
  let cost = 0;
  for (const field of selection.fields) cost += fieldCost(field, variables, sizes?.[field.definition.name]);
  let dearestType = 0;
  for (const fields of selection.byType.values()) {
    let typeCost = 0;
    for (const field of fields) typeCost += fieldCost(field, variables, sizes?.[field.definition.name]);
    dearestType = Math.max(dearestType, typeCost);
  }
  return cost + dearestType;
}

function fieldCost(field: PlannedField, variables: Variables, sizeFromParent: number | undefined): number {
  if (!isIncluded(field.conditions, variables)) return 0;
  const sizes = listSizes(field, variables);
  const count = field.cost.isList ? (sizeFromParent ?? sizes?.[''] ?? 1) : 1;
  const childCost = field.selection ? selectionCost(field.selection, variables, sizes) : 0;
  return count * (field.cost.weight + childCost) + argumentsCost(field, variables);
}

function actualFieldCost(field: PlannedField, variables: Variables, value: unknown): number {
  if (value === undefined) return 0;
  return itemsCost(field, variables, value) + argumentsCost(field, variables);
}

function itemsCost(field: PlannedField, variables: Variables, value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + itemsCost(field, variables, item), 0);
  return field.cost.weight + (field.selection ? actualCost(field.selection, variables, value) : 0);
}

/**
 * The sizes `@listSize` (or the field's sizer) gives: the field's own under `''`, and its sized
 * fields' under their names. Undefined when the field declares none.
 */
function listSizes(field: PlannedField, variables: Variables): Readonly<Record<string, number>> | undefined {
  if (field.cost.sizer) {
    try {
      const sizes = field.cost.sizer(getArgumentValues(field.definition, field.node, variables as Record<string, unknown>));
      if (sizes) return sizes;
    } catch {
      // Arguments that do not coerce fail at execution with their own error; until then, the declared bound applies.
    }
  }
  const listSize = field.cost.listSize;
  if (!listSize) return undefined;
  let size: number | undefined;
  for (const name of listSize.slicingArguments ?? []) {
    const value = argumentValue(field, name, variables);
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) size = Math.max(size ?? 0, value);
  }
  size ??= listSize.assumedSize ?? 1;
  if (!listSize.sizedFields?.length) return { '': size };
  return Object.fromEntries(listSize.sizedFields.map((name) => [name, size]));
}

function argumentsCost(field: PlannedField, variables: Variables): number {
  if (field.cost.weightedArguments.size === 0) return 0;
  let cost = 0;
  for (const [name, weighted] of field.cost.weightedArguments) cost += inputCost(weighted, argumentValue(field, name, variables));
  return cost;
}

/** A weighted argument or input field costs its weight once per value given: per item of a list. */
function inputCost(weighted: InputCost, value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + inputCost(weighted, item), 0);
  let cost = weighted.weight;
  if (typeof value === 'object') {
    for (const [name, nested] of weighted.fields) cost += inputCost(nested, (value as Record<string, unknown>)[name]);
  }
  return cost;
}

function argumentValue(field: PlannedField, name: string, variables: Variables): unknown {
  const node = field.node.arguments?.find((argument) => argument.name.value === name)?.value;
  return node === undefined ? undefined : valueOf(node, variables);
}

function isIncluded(conditions: readonly Condition[], variables: Variables): boolean {
  for (const condition of conditions) {
    const value = valueOf(condition.value, variables);
    // Anything but a boolean fails at execution; until then the field is priced as included.
    if (typeof value === 'boolean' && value !== condition.isInclude) return false;
  }
  return true;
}

function valueOf(node: ValueNode, variables: Variables): unknown {
  return valueFromASTUntyped(node, variables as Record<string, unknown>);
}
