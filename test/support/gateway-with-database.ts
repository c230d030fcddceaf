import { Client } from 'pg';
import { startGateway, type StartGatewayOptions, type TestGateway } from './start-gateway';

/** A gateway on its own database, and a client on that database for planting and checking rows. */
export async function startGatewayWithDatabase(options: StartGatewayOptions = {}): Promise<{ gateway: TestGateway; database: Client }> {
  const gateway = await startGateway(options);
  const database = new Client({ connectionString: gateway.databaseUrl });
  await database.connect();
  return { gateway, database };
}

export async function stopGatewayWithDatabase({ gateway, database }: { gateway: TestGateway; database: Client }): Promise<void> {
  await database.end();
  await gateway.stop();
}
