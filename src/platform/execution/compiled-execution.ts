import {
  GraphQLError, Kind, astFromValue, createSourceEventStream, execute, getOperationAST, isInputObjectType, isInputType, isListType, isNonNullType, typeFromAST, valueFromASTUntyped, visit,
  type DocumentNode, type ExecutionResult, type GraphQLInputType, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { mapAsyncIterator } from 'graphql/execution/mapAsyncIterator';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** What one execution needs: graphql-js's `ExecutionArgs` without the schema, which is the plans'. */
export interface OperationArgs {
  readonly document: DocumentNode;
  readonly operationName?: string | null;
  readonly contextValue: unknown;
  readonly variableValues?: Readonly<Record<string, unknown>> | null;
  /** A subscription's event, for the per-event execution of its selection. */
  readonly rootValue?: unknown;
}

/** graphql-jit's `compileQuery`, as plans use it. */
export type CompileQuery = (schema: GraphQLSchema, document: DocumentNode, operationName?: string) => CompiledQuery | ExecutionResult;

interface Plan {
  readonly operation: OperationDefinitionNode;
  readonly compiled: CompiledQuery;
  /**
   * Variables written inside an input object or list (`input: { id: $id, grace: $grace }`). When
   * one is not given, graphql-js leaves its field out, so the field's default applies; graphql-jit
   * does not, so such a request runs on graphql-js.
   */
  readonly nestedVariables: readonly string[];
}

/**
 * Executes operations with plans that graphql-jit compiles, once per document and operation.
 * graphql-js interprets a document anew on every request, with a promise and a lookup per field;
 * a compiled plan is straight-line JavaScript over the same schema, so the same resolvers, scope
 * checks and errors run at a fraction of the cost. Apollo Server keeps one parsed document per
 * query text, so plans are keyed by the document object and die with it.
 *
 * Variables are checked by graphql-js first, so bad input is refused with exactly its messages
 * and paths. A document graphql-jit cannot compile runs on graphql-js.
 */
export class CompiledExecution {
  private readonly plans = new WeakMap<DocumentNode, Map<string, Plan | null>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly compile: CompileQuery = compileQuery,
  ) {}

  execute(args: OperationArgs): ExecutionResult | Promise<ExecutionResult> {
    const plan = this.planOf(args.document, args.operationName ?? null);
    if (!plan || isNestedVariableMissing(plan, args.variableValues)) return execute({ ...args, schema: this.schema });
    const { errors } = getVariableValues(this.schema, plan.operation.variableDefinitions ?? [], args.variableValues ?? {}, { maxErrors: 50 });
    return errors ? { errors } : this.run(plan, args);
  }

  /** `execute` for variables already checked: a subscription's, once when it started, for each of its events. */
  executeChecked(args: OperationArgs): ExecutionResult | Promise<ExecutionResult> {
    const plan = this.planOf(args.document, args.operationName ?? null);
    return plan && !isNestedVariableMissing(plan, args.variableValues) ? this.run(plan, args) : execute({ ...args, schema: this.schema });
  }

  /**
   * graphql-js's `subscribe`, with each event's selection executed on the compiled plan: the
   * source stream is graphql-js's own (the root field's `subscribe`, scope checks included).
   */
  async subscribe(args: OperationArgs): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
    const stream = await createSourceEventStream({ ...args, schema: this.schema });
    if (!isAsyncIterable(stream)) return stream;
    return mapAsyncIterator(stream, (event: unknown) => this.executeChecked({ ...args, rootValue: event }));
  }

  private run(plan: Plan, args: OperationArgs): ExecutionResult | Promise<ExecutionResult> {
    const variables = withInputDefaults(this.schema, plan.operation, args.variableValues ?? {});
    const result = plan.compiled.query(args.rootValue, args.contextValue, variables) as ExecutionResult | Promise<ExecutionResult>;
    if (result instanceof Promise) return result.then(withGraphQLErrors);
    // No data: graphql-jit refused the variables before executing anything, though graphql-js
    // accepted them: its coercion is narrower, and graphql-js's answer is the one to give.
    if (!('data' in result)) return execute({ ...args, schema: this.schema });
    return withGraphQLErrors(result);
  }

  private planOf(document: DocumentNode, operationName: string | null): Plan | null {
    let byOperation = this.plans.get(document);
    if (!byOperation) this.plans.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    if (!byOperation.has(key)) byOperation.set(key, this.planFor(document, operationName));
    return byOperation.get(key)!;
  }

  private planFor(document: DocumentNode, operationName: string | null): Plan | null {
    const operation = getOperationAST(document, operationName);
    if (!operation) return null;
    const compiled = this.compile(this.schema, document, operationName ?? undefined);
    return isCompiledQuery(compiled) ? { operation, compiled, nestedVariables: nestedVariablesOf(document) } : null;
  }
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';

/**
 * `variables` with each input object's missing fields set to their default values, written as a
 * client would send them. graphql-js fills them in while coercing; graphql-jit refuses a
 * non-null field left out even when it has a default (`priority: ConversationPriority! = NORMAL`).
 * Objects are copied only where a default is added.
 */
function withInputDefaults(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  let filled: Record<string, unknown> | undefined;
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    const value = variables[name];
    const withDefaults = type && isInputType(type) ? inputWithDefaults(type, value) : value;
    if (withDefaults !== value) (filled ??= { ...variables })[name] = withDefaults;
  }
  return filled ?? variables;
}

function inputWithDefaults(type: GraphQLInputType, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const named = isNonNullType(type) ? type.ofType : type;
  if (isListType(named)) {
    if (!Array.isArray(value)) return inputWithDefaults(named.ofType, value);
    let items: unknown[] | undefined;
    value.forEach((item, index) => {
      const withDefaults = inputWithDefaults(named.ofType, item);
      if (withDefaults !== item) (items ??= [...value])[index] = withDefaults;
    });
    return items ?? value;
  }
  if (!isInputObjectType(named) || typeof value !== 'object') return value;
  const fields = value as Record<string, unknown>;
  let object: Record<string, unknown> | undefined;
  for (const field of Object.values(named.getFields())) {
    const given = fields[field.name];
    const withDefaults = given === undefined && field.defaultValue !== undefined ? valueFromASTUntyped(astFromValue(field.defaultValue, field.type)!) : inputWithDefaults(field.type, given);
    if (withDefaults !== given) (object ??= { ...fields })[field.name] = withDefaults;
  }
  return object ?? value;
}

/** The variables a document writes inside input objects and lists. */
function nestedVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Variable(node, _key, _parent, _path, ancestors) {
      if (ancestors.some((ancestor) => 'kind' in ancestor && (ancestor.kind === Kind.OBJECT || ancestor.kind === Kind.LIST))) names.add(node.name.value);
    },
  });
  return [...names];
}

const isNestedVariableMissing = (plan: Plan, variables: OperationArgs['variableValues']) =>
  plan.nestedVariables.some((name) => variables?.[name] === undefined);

/**
 * graphql-jit reports errors with an error class of its own. It passes for graphql-js's
 * `GraphQLError` by prototype, but leaves `extensions` undefined where graphql-js gives an object,
 * which Apollo reads. Its errors are rebuilt as graphql-js's, with the same message, path,
 * locations and original error (a resolver's typed error, which the error formatter looks for).
 */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some(isForeignError)) return result;
  return { ...result, errors: result.errors.map((error) => (isForeignError(error) ? rebuilt(error) : error)) };
}

const isForeignError = (error: GraphQLError) => error.constructor !== GraphQLError;

function rebuilt(error: GraphQLError): GraphQLError {
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? undefined });
  // graphql-js derives locations from AST nodes, which graphql-jit's errors do not carry; they carry the locations themselves.
  if (error.locations) Object.defineProperty(copy, 'locations', { value: error.locations, enumerable: true, writable: true });
  return copy;
}
