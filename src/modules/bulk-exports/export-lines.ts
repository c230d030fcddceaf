import type { BulkExportFormat } from './bulk-export.entity';
import type { ExportPlan, OutlineField } from './export-plan';

type ResultObject = Record<string, unknown>;

/** A page of an export as text: its lines (nested connections' included) and where the next page starts. */
export interface LinePage {
  /** Each line ends in a line break. */
  readonly text: string;
  /** Objects written: one a line. */
  readonly lineCount: number;
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
}

/** A nested connection whose first page did not hold all of a parent's nodes. */
export interface PendingNestedPage {
  readonly field: OutlineField;
  readonly parentId: string;
  readonly after: string;
}

/**
 * Turns executed pages into the file's lines. JSONL: one object per node as the API returned
 * it, nested connections removed and written as their own lines after their parent, each with
 * `__parentId`. CSV (no nested connections): one row per node, single objects flattened into
 * dotted columns, lists as JSON text, null as an empty cell.
 */
export class ExportLines {
  constructor(
    private readonly plan: ExportPlan,
    private readonly format: BulkExportFormat,
  ) {}

  /** The CSV header line; JSONL has none. */
  header(): string {
    return this.format === 'CSV' ? `${this.plan.columns.map((path) => csvCell(path.join('.'))).join(',')}\r\n` : '';
  }

  /**
   * Appends the lines of `nodes` to `out` and returns how many objects they hold; nested pages
   * still to fetch are added to `pending`.
   */
  append(nodes: readonly ResultObject[], outline: readonly OutlineField[], parentId: string | undefined, out: string[], pending: PendingNestedPage[]): number {
    if (this.format === 'CSV') {
      for (const node of nodes) out.push(csvRow(node, this.plan.columns));
      return nodes.length;
    }
    const connections = outline.filter((field) => field.kind === 'connection');
    let count = 0;
    for (const node of nodes) {
      out.push(jsonLine(node, connections, parentId));
      count += 1;
      for (const field of connections) {
        const page = node[field.key] as { nodes: ResultObject[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null;
        if (!page) continue;
        const id = node.id as string;
        count += this.append(page.nodes, field.children, id, out, pending);
        if (page.pageInfo.hasNextPage && page.pageInfo.endCursor) pending.push({ field, parentId: id, after: page.pageInfo.endCursor });
      }
    }
    return count;
  }
}

function jsonLine(node: ResultObject, connections: readonly OutlineField[], parentId: string | undefined): string {
  if (connections.length === 0 && parentId === undefined) return `${JSON.stringify(node)}\n`;
  const line: ResultObject = {};
  for (const key in node) if (!connections.some((field) => field.key === key)) line[key] = node[key];
  if (parentId !== undefined) line.__parentId = parentId;
  return `${JSON.stringify(line)}\n`;
}

function csvRow(node: ResultObject, columns: readonly string[][]): string {
  let row = '';
  for (let index = 0; index < columns.length; index += 1) {
    let value: unknown = node;
    for (const key of columns[index]) value = value == null ? null : (value as ResultObject)[key];
    row += (index === 0 ? '' : ',') + csvCell(value);
  }
  return `${row}\r\n`;
}

/** RFC 4180: a cell holding a comma, quote or line break is quoted, its quotes doubled. */
function csvCell(value: unknown): string {
  if (value == null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
