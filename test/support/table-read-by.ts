/**
 * The first table a statement reads from, passing over set-returning functions such as the
 * `jsonb_array_elements_text(…)` of parent ids a nested page is joined with; undefined if none.
 */
export function tableReadBy(sql: string): string | undefined {
  return /\bfrom\s+"?(\w+)\b"?(?!\s*\()/i.exec(sql)?.[1];
}
