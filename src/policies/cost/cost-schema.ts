import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isListType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { getDirective } from '@graphql-tools/utils';
import { costDirective, listSizeDirective, type ListSizeSettings } from './cost-directives';

/**
 * Sizes a field's lists from its arguments where no slicing argument can say it (analytics
 * buckets × groups): the schema's `@listSize(assumedSize:)` stays the declared upper bound.
 * Returns the size of each sized field, or of the field itself under the key `''`; undefined
 * when the arguments do not tell (they fail at execution), and the declared bound applies.
 */
export type ListSizer = (args: Record<string, unknown>) => Readonly<Record<string, number>> | undefined;

/** How one output field is priced. */
export interface FieldCost {
  /** The field's own `@cost`, else its type's, else 1 for objects and 0 for leaves. */
  readonly weight: number;
  readonly isList: boolean;
  readonly listSize: ListSizeSettings | undefined;
  readonly sizer: ListSizer | undefined;
  /** Arguments (and, below them, input fields) that declare a weight. */
  readonly weightedArguments: ReadonlyMap<string, InputCost>;
}

/** A weighted argument or input field; `fields` are the weighted input fields below it. */
export interface InputCost {
  readonly weight: number;
  readonly fields: ReadonlyMap<string, InputCost>;
}

const noInputs: ReadonlyMap<string, InputCost> = new Map();

/**
 * The cost declarations of a schema, read once at start: every operation's plan looks its
 * fields up here instead of reading directives from the AST each time.
 */
export class CostSchema {
  private readonly fields = new Map<string, FieldCost>();

  constructor(
    readonly schema: GraphQLSchema,
    sizers: Readonly<Record<string, ListSizer>> = {},
  ) {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        this.fields.set(`${type.name}.${field.name}`, this.priceField(field, sizers[`${type.name}.${field.name}`]));
      }
    }
    const unknownSizers = Object.keys(sizers).filter((coordinate) => !this.fields.has(coordinate));
    if (unknownSizers.length > 0) throw new Error(`List sizers for unknown fields: ${unknownSizers.join(', ')}`);
  }

  /** Undefined for introspection fields, which cost nothing. */
  field(typeName: string, fieldName: string): FieldCost | undefined {
    return this.fields.get(`${typeName}.${fieldName}`);
  }

  /**
   * Composite lists that no `@listSize` and no parent's sized fields bound: each would be priced
   * as one item whatever it returns. The schema test asks for none.
   */
  unsizedLists(): string[] {
    const sizedByParent = new Set<string>();
    for (const [coordinate, cost] of this.fields) {
      const typeName = this.returnTypeOf(coordinate);
      for (const sized of cost.listSize?.sizedFields ?? []) sizedByParent.add(`${typeName}.${sized}`);
    }
    return [...this.fields]
      .filter(([coordinate, cost]) => cost.isList && cost.weight + this.nestedWeightOf(coordinate) > 0 && !cost.listSize && !cost.sizer && !sizedByParent.has(coordinate))
      .map(([coordinate]) => coordinate);
  }

  private returnTypeOf(coordinate: string): string {
    const [typeName, fieldName] = coordinate.split('.');
    const type = this.schema.getType(typeName);
    return isObjectType(type) ? getNamedType(type.getFields()[fieldName].type).name : '';
  }

  /** Whether anything under a list's item type weighs (a list of weightless values needs no size). */
  private nestedWeightOf(coordinate: string): number {
    const type = this.schema.getType(this.returnTypeOf(coordinate));
    if (!isObjectType(type)) return 0;
    return Object.values(type.getFields()).reduce((sum, field) => sum + (this.fields.get(`${type.name}.${field.name}`)?.weight ?? 0), 0);
  }

  private priceField(field: GraphQLField<unknown, unknown>, sizer: ListSizer | undefined): FieldCost {
    const namedType = getNamedType(field.type);
    const listSize = getDirective(this.schema, field, listSizeDirective.name)?.[0] as ListSizeSettings | undefined;
    return {
      weight: weightOf(this.schema, field) ?? typeWeight(this.schema, namedType),
      isList: isListType(getNullableType(field.type)),
      listSize,
      sizer,
      weightedArguments: this.weightedInputs(field.args),
    };
  }

  private weightedInputs(inputs: readonly (GraphQLArgument | GraphQLInputField)[], seen = new Set<string>()): ReadonlyMap<string, InputCost> {
    const weighted = new Map<string, InputCost>();
    for (const input of inputs) {
      const namedType = getNamedType(input.type);
      const isNew = isInputObjectType(namedType) && !seen.has(namedType.name);
      const fields = isNew ? this.weightedInputs(Object.values(namedType.getFields()), new Set([...seen, namedType.name])) : noInputs;
      const weight = weightOf(this.schema, input) ?? 0;
      if (weight > 0 || fields.size > 0) weighted.set(input.name, { weight, fields });
    }
    return weighted;
  }
}

function weightOf(schema: GraphQLSchema, node: GraphQLField<unknown, unknown> | GraphQLArgument | GraphQLInputField | GraphQLNamedType): number | undefined {
  return (getDirective(schema, node, costDirective.name)?.[0] as { weight: number } | undefined)?.weight;
}

function typeWeight(schema: GraphQLSchema, type: GraphQLNamedType): number {
  return weightOf(schema, type) ?? (isCompositeType(type) ? 1 : 0);
}
