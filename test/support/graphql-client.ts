export interface GraphQLResponse<TData = Record<string, any>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { data?: TData | null; errors?: GraphQLErrorBody[]; extensions?: { cost: CostExtension; [key: string]: unknown } };
}

/** `extensions.cost` of a response (docs/cost.md). */
export interface CostExtension {
  readonly requestedQueryCost: number | null;
  readonly actualQueryCost: number | null;
  readonly throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } | null;
}

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions: { code: string; requestId: string; [key: string]: unknown };
}

export interface PostOptions {
  readonly secret?: string;
  readonly headers?: Record<string, string>;
}

/** POSTs one GraphQL operation over real HTTP and returns status, headers and parsed body. */
export async function postGraphQL<TData = Record<string, any>>(
  graphqlUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: PostOptions = {},
): Promise<GraphQLResponse<TData>> {
  return postRaw(graphqlUrl, JSON.stringify({ query, variables }), {
    'content-type': 'application/json',
    ...(options.secret ? { authorization: `Bearer ${options.secret}` } : {}),
    ...options.headers,
  });
}

export async function postRaw<TData = Record<string, any>>(graphqlUrl: string, body: string, headers: Record<string, string>): Promise<GraphQLResponse<TData>> {
  const response = await fetch(graphqlUrl, { method: 'POST', body, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}
