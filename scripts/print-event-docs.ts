import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderEventDocs } from '../src/modules/events/event-docs';

/** Regenerates docs/events.md from the event catalogue (a test fails when it is stale). */
writeFileSync(path.join(__dirname, '..', 'docs', 'events.md'), renderEventDocs());
