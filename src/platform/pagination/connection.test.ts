import type { Page } from './keyset';
import { toConnection } from './connection';

describe('toConnection', () => {
  it('reads (so signs) a cursor only when the client selects it', () => {
    const reads: number[] = [];
    const page: Page<{ id: number }> = {
      items: [1, 2, 3].map((id) => ({ node: { id }, get cursor() { reads.push(id); return `c${id}`; } })),
      hasNextPage: false,
      hasPreviousPage: false,
      countTotal: async () => 3,
    };

    const connection = toConnection(page, (row) => ({ id: row.id }));
    expect(connection.nodes).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(reads).toEqual([]);

    expect(connection.pageInfo.endCursor).toBe('c3');
    expect(connection.edges[1].cursor).toBe('c2');
    expect(reads).toEqual([3, 2]);
  });
});
