/**
 * Filters of the same shape (the same keys, operators and array lengths; any values) compile to
 * the same SQL with different bindings. Building SQL with the query builder cost more CPU than
 * running it (about 500 µs of 900 µs for a page of 51 conversations), so read paths compile each
 * shape once and only bind values afterwards.
 */

/** A value the query builder sees in place of each filter value while compiling a shape. */
const slotMarker = '\u0000slot:';
const maxShapes = 1_000;

export interface Parameterized {
  /** The filter with every value replaced by its slot's marker. */
  readonly template: unknown;
  /** The values, by slot. */
  readonly values: unknown[];
  /** Identifies the shape: the template as JSON. */
  readonly key: string;
  /** False when a value is neither a primitive nor a Date (an entity, say), which the builder would translate. */
  readonly isBindable: boolean;
}

/** Splits a filter into its shape and its values. */
export function parameterize(filter: unknown): Parameterized {
  const values: unknown[] = [];
  const template = templateOf(filter, values);
  const isBindable = values.every((value) => typeof value !== 'object' || value instanceof Date);
  return { template, values, key: JSON.stringify(template), isBindable };
}

function templateOf(value: unknown, values: unknown[]): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((item) => templateOf(item, values));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, templateOf(entry, values)]));
  }
  values.push(value);
  return `${slotMarker}${values.length - 1}`;
}

/** How to bind one compiled shape: each binding is a slot's value or a constant of the SQL. */
export interface CompiledShape {
  readonly sql: string;
  readonly bindings: readonly ({ readonly slot: number } | { readonly constant: unknown })[];
}

/**
 * The compiled SQL of each shape seen, or null for a shape whose values the query builder
 * transforms (a marker inside a larger string, e.g. an array literal): those are built each time.
 */
export class QueryShapes {
  private readonly shapes = new Map<string, CompiledShape | null>();

  /**
   * The SQL and bindings for `parameterized`, compiling its shape with `compile` the first time.
   * `context` names whatever else decides the SQL (table, order, limit).
   */
  resolve(context: string, parameterized: Parameterized, compile: (template: unknown) => { sql: string; bindings: readonly unknown[] }): { sql: string; bindings: unknown[] } | null {
    if (!parameterized.isBindable) return null;
    const key = `${context}\n${parameterized.key}`;
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      shape = toShape(compile(parameterized.template));
      if (this.shapes.size >= maxShapes) this.shapes.delete(this.shapes.keys().next().value!);
      this.shapes.set(key, shape);
    }
    if (!shape) return null;
    return { sql: shape.sql, bindings: shape.bindings.map((binding) => ('slot' in binding ? parameterized.values[binding.slot] : binding.constant)) };
  }
}

function toShape({ sql, bindings }: { sql: string; bindings: readonly unknown[] }): CompiledShape | null {
  const compiled: CompiledShape['bindings'][number][] = [];
  for (const binding of bindings) {
    if (typeof binding === 'string' && /^\u0000slot:\d+$/.test(binding)) compiled.push({ slot: Number(binding.slice(slotMarker.length)) });
    else if (containsMarker(binding)) return null;
    else compiled.push({ constant: binding });
  }
  return { sql, bindings: compiled };
}

function containsMarker(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(slotMarker);
  if (Array.isArray(value)) return value.some(containsMarker);
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.values(value).some(containsMarker);
  return false;
}
