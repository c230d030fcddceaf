/**
 * SQL for a timestamp column as the API writes dates (graphql-scalars' DateTimeISO, that is
 * `Date#toISOString()`): UTC, milliseconds, `Z`. The columns hold milliseconds, so nothing is cut.
 */
export const isoTimestampSql = (column: string): string => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
