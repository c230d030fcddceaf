import { Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { Page } from './keyset';

/** Wrappers cost nothing (`@cost(weight: 0)`, docs/cost.md): the page is priced by its nodes. */
@Directive('@cost(weight: 0)')
@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface ConnectionShape<TNode> {
  edges: { cursor: string; node: TNode }[];
  nodes: TNode[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

/** Builds `<Name>Edge` and `<Name>Connection` GraphQL types for one node type. */
export function connectionType<TNode extends object>(name: string, nodeType: ClassType<TNode>) {
  @Directive('@cost(weight: 0)')
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String, { description: 'Opaque position of this node; pass it as `after` or `before`.' })
    cursor!: string;

    @Field(() => nodeType)
    node!: TNode;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} nodes.` })
  class Connection implements ConnectionShape<TNode> {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [nodeType], { description: 'The nodes of `edges`, for clients that need no cursors.' })
    nodes!: TNode[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    countTotal!: () => Promise<number>;

    @Field(() => Int, { description: 'All items matching the filter; costs a COUNT, computed only when selected.' })
    totalCount(): Promise<number> {
      return this.countTotal();
    }
  }
  return Connection;
}

/** Maps a page of rows to a connection of API objects. */
export function toConnection<TRow, TNode>(page: Page<TRow>, toNode: (row: TRow) => TNode): ConnectionShape<TNode> {
  // Cursors are read through, so they are signed only if the client selects them.
  const edges = page.items.map((item) => ({
    get cursor() {
      return item.cursor;
    },
    node: toNode(item.node),
  }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      get startCursor() {
        return page.items[0]?.cursor ?? null;
      },
      get endCursor() {
        return page.items.at(-1)?.cursor ?? null;
      },
    },
    totalCount: page.countTotal,
  };
}
