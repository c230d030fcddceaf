import pino from 'pino';

/** Frames kept from a stack: enough to find the line, and value-free (the message lines are dropped). */
const maxStackFrames = 10;

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly sqlState?: unknown;
  readonly constraint?: unknown;
  readonly table?: unknown;
  readonly column?: unknown;
  readonly stack?: unknown;
  readonly cause?: unknown;
}

/**
 * How an error appears in a log line (the `err` key of every logger call).
 *
 * In production only what cannot carry a request's values: the error's type, its code (SQLSTATE or
 * errno), the schema names PostgreSQL reports (constraint, table, column) and the stack frames.
 * Never the message: a database error's message holds the statement with its parameters inlined
 * (MikroORM and knex put them there) and PostgreSQL's `detail` quotes the row, e.g. a customer's
 * email. Elsewhere, pino's full serialization, to debug with.
 */
export function loggableErrorSerializer(isProduction: boolean): (error: unknown) => unknown {
  return isProduction ? (error) => valueFreeFieldsOf(error, 0) : (error) => pino.stdSerializers.err(error as Error);
}

function valueFreeFieldsOf(error: unknown, depth: number): unknown {
  if (typeof error !== 'object' || error === null) return { type: typeof error };
  const fields = error as ErrorLike;
  const constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return withoutUndefined({
    type: typeof constructorName === 'string' && constructorName !== 'Object' ? constructorName : stringOrUndefined(fields.name),
    code: shortStringOrUndefined(fields.code) ?? shortStringOrUndefined(fields.sqlState),
    constraint: shortStringOrUndefined(fields.constraint),
    table: shortStringOrUndefined(fields.table),
    column: shortStringOrUndefined(fields.column),
    frames: typeof fields.stack === 'string' ? stackFramesOf(fields.stack) : undefined,
    cause: depth < 2 && fields.cause !== undefined ? valueFreeFieldsOf(fields.cause, depth + 1) : undefined,
  });
}

/** The `at …` lines only: the first lines of a stack repeat the message. */
function stackFramesOf(stack: string): string[] {
  return stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, maxStackFrames);
}

const stringOrUndefined = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Codes and identifiers are short; anything longer is not one of them. */
const shortStringOrUndefined = (value: unknown) => (typeof value === 'string' && value.length <= 64 ? value : undefined);

function withoutUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
