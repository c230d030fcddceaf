export { EventRecord } from './event.entity';
export { eventCatalogue, type EventType, type EventDefinition } from './event-catalogue';
export { recordEvent, toEnvelope, type EventEnvelope } from './event-recorder';
