import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  Kind,
  getNamedType,
  type ConstDirectiveNode,
  type ConstValueNode,
  type GraphQLFieldConfig,
  type GraphQLSchema,
} from 'graphql';
import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import { Directive } from 'type-graphql';
import { defaultPageSize } from '../../platform/pagination/page-args';

/**
 * The GraphQL Cost Directives as Apollo Router's demand control reads them. Declared in the
 * schema, and read back from it by CostSchema: the printed schema.graphql is what is enforced.
 */
export const costDirective = new GraphQLDirective({
  name: 'cost',
  description: 'The weight of a field, type, argument or input field in cost points (docs/cost.md). Without it: objects 1, scalars and enums 0, arguments 0.',
  locations: [
    DirectiveLocation.ARGUMENT_DEFINITION,
    DirectiveLocation.ENUM,
    DirectiveLocation.FIELD_DEFINITION,
    DirectiveLocation.INPUT_FIELD_DEFINITION,
    DirectiveLocation.OBJECT,
    DirectiveLocation.SCALAR,
  ],
  args: { weight: { type: new GraphQLNonNull(GraphQLInt) } },
});

const stringList = new GraphQLList(new GraphQLNonNull(GraphQLString));

export const listSizeDirective = new GraphQLDirective({
  name: 'listSize',
  description: 'How many items a list field, or the sized fields of the object it returns, holds: the value of a slicing argument, else assumedSize.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    assumedSize: { type: GraphQLInt },
    slicingArguments: { type: stringList },
    sizedFields: { type: stringList },
    requireOneSlicingArgument: { type: GraphQLBoolean, defaultValue: true },
  },
});

export interface ListSizeSettings {
  readonly assumedSize?: number;
  readonly slicingArguments?: readonly string[];
  readonly sizedFields?: readonly string[];
  readonly requireOneSlicingArgument?: boolean;
}

/** `@cost(weight: …)` on a field, argument, input field or object type. */
export function Cost(weight: number): MethodDecorator & PropertyDecorator & ClassDecorator {
  return Directive(`@cost(weight: ${weight})`);
}

/** `@listSize(…)` on a field. */
export function ListSize(settings: ListSizeSettings): MethodDecorator & PropertyDecorator {
  return Directive(`@listSize(${Object.entries(settings).map(([name, value]) => `${name}: ${JSON.stringify(value)}`).join(', ')})`);
}

/** What every mutation weighs unless it declares otherwise: Shopify's and Apollo Router's figure. */
export const defaultMutationWeight = 10;

/**
 * What starting a subscription weighs unless it declares otherwise: a standing query that runs on
 * every event it matches, charged once when it starts, as much as a mutation.
 */
export const defaultSubscriptionWeight = 10;

/** Every Relay connection is sized by its page arguments: `first`/`last`, else the default page. */
const connectionListSize: ListSizeSettings = {
  assumedSize: defaultPageSize,
  slicingArguments: ['first', 'last'],
  sizedFields: ['edges', 'nodes'],
  requireOneSlicingArgument: false,
};

/**
 * Declares the defaults on every field that states nothing itself, so that the schema carries
 * the whole cost model and a new connection or mutation is priced without anyone remembering to:
 * a connection (a `…Connection` with `first`/`last`) gets the connection `@listSize`, a mutation
 * and a subscription `@cost(weight: 10)`.
 */
export function declareDefaultCosts(schema: GraphQLSchema): GraphQLSchema {
  const rootWeights = new Map([
    [schema.getMutationType()?.name, defaultMutationWeight],
    [schema.getSubscriptionType()?.name, defaultSubscriptionWeight],
  ]);
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, _fieldName, typeName) => {
      const rootWeight = rootWeights.get(typeName);
      if (rootWeight !== undefined && !getDirective(schema, field, costDirective.name)) {
        return withDirective(field, directiveNode(costDirective.name, { weight: rootWeight }));
      }
      const isConnection = getNamedType(field.type).name.endsWith('Connection') && field.args?.first && field.args.last;
      if (isConnection && !getDirective(schema, field, listSizeDirective.name)) {
        return withDirective(field, directiveNode(listSizeDirective.name, connectionListSize));
      }
      return field;
    },
  });
}

function withDirective(field: GraphQLFieldConfig<unknown, unknown>, directive: ConstDirectiveNode): GraphQLFieldConfig<unknown, unknown> {
  const astNode = field.astNode ?? {
    kind: Kind.FIELD_DEFINITION,
    name: { kind: Kind.NAME, value: '' },
    type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: getNamedType(field.type).name } },
  };
  return { ...field, astNode: { ...astNode, directives: [...(astNode.directives ?? []), directive] } };
}

function directiveNode(name: string, args: object): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: name },
    arguments: Object.entries(args).map(([argument, value]) => ({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: argument }, value: valueNode(value) })),
  };
}

function valueNode(value: unknown): ConstValueNode {
  if (Array.isArray(value)) return { kind: Kind.LIST, values: value.map(valueNode) };
  if (typeof value === 'number') return { kind: Kind.INT, value: String(value) };
  if (typeof value === 'boolean') return { kind: Kind.BOOLEAN, value };
  return { kind: Kind.STRING, value: String(value) };
}
