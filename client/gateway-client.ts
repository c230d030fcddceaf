import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

// graphql-request 7 ships a CommonJS build but only ES-module type declarations, which a
// CommonJS file cannot import (TS1479): take the types in import mode, the code through require.
const { GraphQLClient }: typeof import('graphql-request', { with: { 'resolution-mode': 'import' } }) = require('graphql-request');

/** What the gateway adds to a response besides `data`. */
export interface GatewayResponseExtensions {
  /** Present when an idempotency key matched an earlier request: its first result was returned and nothing ran again. */
  readonly idempotency?: { readonly replayed: true; readonly operations: readonly string[] };
}

export interface GatewayResponse<TData> {
  readonly data: TData;
  readonly extensions: GatewayResponseExtensions;
  /** Among them `X-Request-Id` and `RateLimit-Remaining`. */
  readonly headers: Headers;
  readonly status: number;
}

/** Operations without required variables may omit them. */
type VariablesArgument<TVariables> = Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

/**
 * The gateway as a backend calls it: typed documents from client/operations in, typed data out.
 * A response with errors (or a refused request) rejects with graphql-request's `ClientError`,
 * whose `response.errors[].extensions.code` is the gateway's error code.
 */
export interface GatewayClient {
  request<TData, TVariables extends object>(document: TypedDocumentNode<TData, TVariables>, ...variables: VariablesArgument<NoInfer<TVariables>>): Promise<TData>;
  /** Like `request`, with the response's extensions, headers and status. */
  rawRequest<TData, TVariables extends object>(document: TypedDocumentNode<TData, TVariables>, ...variables: VariablesArgument<NoInfer<TVariables>>): Promise<GatewayResponse<TData>>;
}

export interface GatewayClientOptions {
  /** The `/graphql` endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly url: string;
  /** An API key secret `sgw_…`, sent as a bearer token. */
  readonly secret: string;
}

export function createGatewayClient({ url, secret }: GatewayClientOptions): GatewayClient {
  const client = new GraphQLClient(url, { headers: { authorization: `Bearer ${secret}` } });
  async function rawRequest<TData, TVariables extends object>(
    document: TypedDocumentNode<TData, TVariables>,
    ...[variables]: VariablesArgument<NoInfer<TVariables>>
  ): Promise<GatewayResponse<TData>> {
    const { data, extensions, headers, status } = await client.rawRequest<TData>(print(document), variables);
    return { data, extensions: (extensions ?? {}) as GatewayResponseExtensions, headers, status };
  }
  return {
    rawRequest,
    request: async (document, ...variables) => (await rawRequest(document, ...variables)).data,
  };
}
