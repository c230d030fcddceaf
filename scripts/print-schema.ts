import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildGatewaySchema, printGatewaySchema } from '../src/server/schema';

/** Regenerates schema.graphql, the reviewed API contract (a test fails when it is stale). */
async function main(): Promise<void> {
  const schema = await buildGatewaySchema({ get: () => ({}) });
  writeFileSync(path.join(__dirname, '..', 'schema.graphql'), printGatewaySchema(schema));
}

void main();
