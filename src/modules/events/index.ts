export { EventRecord } from './event.entity';
export { eventCatalogue, type EventType, type EventDefinition } from './event-catalogue';
export { recordEvent, toEnvelope, type EventEnvelope } from './event-recorder';
export { EventResolver } from './event.resolver';
export { EventSubscriptionResolver } from './event-subscription.resolver';
export { EventHub } from './hub/event-hub';
export { eventRetentionJob } from './event-retention';
export { EventType as EventGraphQLType, toEventType } from './event.type';
export { visibleEventTypes } from './event-visibility';
