/** Collects bind parameters in the order their placeholders appear in the SQL text. */
export class SqlParameters {
  readonly values: unknown[] = [];

  /** A placeholder for `value`. */
  bind(value: unknown): string {
    this.values.push(value);
    return '?';
  }

  /** A placeholder for the list `values` (knex would spread a JS array into a list of placeholders). */
  bindList(values: readonly unknown[]): string {
    return `(select jsonb_array_elements_text(${this.bind(JSON.stringify(values))}::jsonb))`;
  }
}
