/**
 * JSON Schemas (draft 2020-12) and examples of the webhook operational events' `data`, published
 * in docs/events.md; a test validates the events the dispatcher records against them.
 */
const endpointRef = {
  type: 'object',
  required: ['id', 'url'],
  properties: { id: { type: 'string', pattern: '^we_' }, url: { type: 'string', format: 'uri' } },
} as const;

const timestamp = { type: 'string', format: 'date-time' } as const;

export const operationalEventSchemas = {
  'webhook_delivery.exhausted': {
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['webhookEndpoint', 'delivery'],
      properties: {
        webhookEndpoint: endpointRef,
        delivery: {
          type: 'object',
          required: ['id', 'eventId', 'eventType', 'attemptCount', 'lastStatusCode', 'lastError'],
          properties: {
            id: { type: 'string', pattern: '^del_' },
            eventId: { type: 'string', pattern: '^evt_' },
            eventType: { type: 'string' },
            attemptCount: { type: 'integer', minimum: 1 },
            lastStatusCode: { type: ['integer', 'null'] },
            lastError: { type: 'string' },
          },
        },
      },
    },
    example: {
      webhookEndpoint: { id: 'we_3kq8z0d1m2n4p5r6s7t9', url: 'https://crm.example.com/hooks/support' },
      delivery: { id: 'del_7h2k9m4n1p3q5r8s0t6v', eventId: 'evt_5b9c2d4f6g8h1j3k5m7n', eventType: 'conversation.created', attemptCount: 8, lastStatusCode: 503, lastError: 'HTTP 503' },
    },
  },
  'webhook_endpoint.failing': {
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['webhookEndpoint'],
      properties: {
        webhookEndpoint: { ...endpointRef, required: ['id', 'url', 'failingSince'], properties: { ...endpointRef.properties, failingSince: timestamp } },
      },
    },
    example: { webhookEndpoint: { id: 'we_3kq8z0d1m2n4p5r6s7t9', url: 'https://crm.example.com/hooks/support', failingSince: '2026-12-07T09:12:44.120Z' } },
  },
  'webhook_endpoint.recovered': {
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['webhookEndpoint'],
      properties: {
        webhookEndpoint: {
          ...endpointRef,
          required: ['id', 'url', 'failingSince', 'recoveredAt'],
          properties: { ...endpointRef.properties, failingSince: timestamp, recoveredAt: timestamp },
        },
      },
    },
    example: {
      webhookEndpoint: { id: 'we_3kq8z0d1m2n4p5r6s7t9', url: 'https://crm.example.com/hooks/support', failingSince: '2026-12-07T09:12:44.120Z', recoveredAt: '2026-12-07T10:31:05.871Z' },
    },
  },
} as const;

export type OperationalEventType = keyof typeof operationalEventSchemas;
