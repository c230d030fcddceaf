import { eventCatalogue, type EventType } from './event-catalogue';
import { operationalEventSchemas, type OperationalEventType } from './operational-event-schemas';

function operationalEventSections(): string {
  return (Object.keys(operationalEventSchemas) as OperationalEventType[])
    .map((type) => {
      const { schema, example } = operationalEventSchemas[type];
      return `### \`${type}\`

${eventCatalogue[type].description}

JSON Schema of \`data\`:

\`\`\`json
${JSON.stringify(schema, null, 2)}
\`\`\`

Example \`data\`:

\`\`\`json
${JSON.stringify(example, null, 2)}
\`\`\`
`;
    })
    .join('\n');
}

/** docs/events.md, derived from the catalogue so the docs cannot drift from the code. */
export function renderEventDocs(): string {
  const rows = (Object.keys(eventCatalogue) as EventType[]).map((type) => {
    const { requiredScope, description, data } = eventCatalogue[type];
    return `| \`${type}\` | \`${requiredScope}\` | ${description} | \`${data}\` |`;
  });
  return `# Events

<!-- Generated from src/modules/events/event-catalogue.ts by \`npm run docs:events\`; do not edit. -->

Every change writes one event in the transaction of the change. The same envelope is the body
of webhooks and the payload of subscriptions, and the \`events\` query lists the log:

\`\`\`json
{"id":"evt_…","type":"conversation.created","occurredAt":"2026-11-23T12:00:00.000Z","sequence":123,"data":{…}}
\`\`\`

- \`id\` is unique and is the \`webhook-id\` of every delivery attempt of the event.
- \`sequence\` increases by one per event in a workspace, in commit order, with no gaps: resume
  after the last sequence you processed.
- A key (or endpoint) receives an event only if it holds the event's scope.

| type | scope | when | data |
| --- | --- | --- | --- |
${rows.join('\n')}

\`ConversationSnapshot\`: \`{ id, version, subject, status, priority, channel, inbox, customerId, assigneeId,
teamId, tags, metadata, externalRefs, escalationReason, createdAt, updatedAt, lastActivityAt,
firstResponseAt, resolvedAt }\`, enums in upper case as in the GraphQL schema. \`version\` is the
version the change produced: a sync applies an event only when it is newer than what it holds.

\`CustomerSnapshot\`: \`{ id, version, name, email, phone, locale, tags, customAttributes, externalIds,
createdAt, updatedAt }\`.

## Webhook operational events

They tell a workspace's owners about its own webhooks. An endpoint never receives an
operational event about itself (it is the one failing), and a delivery of an operational event
that runs out of attempts records no \`webhook_delivery.exhausted\`, so failures cannot feed
each other.

${operationalEventSections()}`;
}
