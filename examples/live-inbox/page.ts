// The browser side of the live inbox: asks its backend for a client token, lists the inbox's
// conversations, and keeps the list current from the gateway's event stream. The token's binding
// does the filtering: the page asks for every conversation and every event, and sees only its inbox.
import { createClient } from 'graphql-ws';
import { subscribeResumable } from '../../client/resumable-subscription';

interface Row {
  readonly id: string;
  readonly subject: string;
  readonly status: string;
}

const inbox = new URLSearchParams(window.location.search).get('inbox') ?? 'support';
const list = document.getElementById('conversations') as HTMLUListElement;
const state = document.getElementById('state') as HTMLElement;
const rows = new Map<string, Row>();

function render(): void {
  const items = [...rows.values()].map((row) => {
    const item = document.createElement('li');
    item.dataset.id = row.id;
    item.dataset.status = row.status;
    item.textContent = `${row.subject} (${row.status.toLowerCase()})`;
    return item;
  });
  list.replaceChildren(...items);
}

async function main(): Promise<void> {
  const { token, gatewayUrl } = (await (await fetch(`/token?inbox=${encodeURIComponent(inbox)}`, { method: 'POST' })).json()) as { token: string; gatewayUrl: string };
  const authorization = `Bearer ${token}`;
  const first = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query: '{ conversations(first: 50) { nodes { id subject status } } events(last: 1) { nodes { sequence } } }' }),
  });
  const { data } = (await first.json()) as { data: { conversations: { nodes: Row[] }; events: { nodes: { sequence: number }[] } } };
  for (const row of data.conversations.nodes) rows.set(row.id, row);
  render();

  const client = createClient({
    url: `${gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    connectionParams: { authorization },
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 200)),
    on: { connected: () => (state.textContent = 'live'), closed: () => (state.textContent = 'reconnecting') },
  });
  subscribeResumable<{ events: { sequence: number; conversation: Row | null } }>(client, {
    query: 'subscription Inbox($after: String) { events(after: $after) { sequence conversation { id subject status } } }',
    // Resume from the page's first read: nothing between it and the subscription is missed.
    after: data.events.nodes[0]?.sequence ?? 0,
    next: ({ events }) => {
      if (!events.conversation) return;
      rows.set(events.conversation.id, events.conversation);
      render();
    },
    error: (error) => (state.textContent = `error: ${JSON.stringify(error)}`),
  });
}

main().catch((error) => (state.textContent = `error: ${String(error)}`));
