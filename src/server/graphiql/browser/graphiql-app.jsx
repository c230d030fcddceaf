// The GraphiQL page the gateway serves on GET /graphql (bundled by scripts/bundle-graphiql.js
// from npm packages: the page loads nothing from elsewhere). Queries and mutations go over HTTP,
// subscriptions over graphql-ws on the same path, each with the Authorization header set in the
// headers editor. Headers are not persisted: a key must not linger in the browser's storage.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { getOperationAST, parse } from 'graphql';
import 'graphiql/graphiql.css';

const httpUrl = new URL('/graphql', window.location.href).href;
const wsUrl = httpUrl.replace(/^http/, 'ws');
const wsClients = new Map();

/** One graphql-ws connection per credential, opened on first use. */
function wsClientFor(authorization) {
  if (!wsClients.has(authorization)) wsClients.set(authorization, createClient({ url: wsUrl, connectionParams: { authorization }, lazy: true, retryAttempts: 3 }));
  return wsClients.get(authorization);
}

function isSubscription(query, operationName) {
  try {
    return getOperationAST(parse(query), operationName || undefined)?.operation === 'subscription';
  } catch {
    return false;
  }
}

function fetcher(params, options) {
  const headers = { ...(options && options.headers) };
  const authorization = headers.Authorization || headers.authorization || '';
  if (isSubscription(params.query, params.operationName)) return wsClientFor(authorization).iterate(params);
  return fetch(httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify(params),
  }).then((response) => response.json());
}

// ASCII only: fetch refuses header values outside ISO-8859-1.
const defaultHeaders = JSON.stringify({ Authorization: 'Bearer sgw_... (an API key) or sgwct_... (a client token)' }, null, 2);
const defaultQuery = `# Set your key in Headers below, then run:
{
  viewer { scopes workspace { slug } }
}

# Live events (run it, then change a conversation elsewhere):
# subscription { events { sequence type conversation { id subject status } } }
`;

createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultHeaders, defaultQuery, isHeadersEditorEnabled: true, shouldPersistHeaders: false, defaultEditorToolsVisibility: 'headers' }),
);
