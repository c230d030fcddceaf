// PostGraphile 5 over the gateway's tables, for `npm run bench`: DATABASE_URL=… node peer.mjs
// prints {"port": N} once listening. Amber preset, production mode, read-only, no GraphiQL.

// PostGraphile 5 targets Node 22; on Node 20 it needs Promise.withResolvers (Set methods are only
// named in comments). Defined before any of its modules load, hence the dynamic imports below.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((resolveWith, rejectWith) => {
      resolve = resolveWith;
      reject = rejectWith;
    });
    return { promise, resolve, reject };
  };
}
process.env.GRAPHILE_ENV ??= 'production';

const { createServer } = await import('node:http');
const { postgraphile } = await import('postgraphile');
const { grafserv } = await import('postgraphile/grafserv/node');
const { makePgService } = await import('postgraphile/adaptors/pg');
const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
const { PgSimplifyInflectionPreset } = await import('@graphile/simplify-inflection');

// Amber names table `id` columns `rowId` (it keeps `id` for the Relay node id); the gateway's
// clients read `id`, so the peer keeps the column name and calls the node id `nodeId`.
const PlainIdPlugin = {
  name: 'PlainIdPlugin',
  version: '0.0.0',
  after: ['PgAttributesPlugin'],
  inflection: {
    replace: {
      nodeIdFieldName: () => 'nodeId',
      _attributeName: (previous, _options, details) => previous({ ...details, skipRowId: true }),
    },
  },
};

const pgService = makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'], poolConfig: { max: 10 }, pubsub: false });
const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  plugins: [PlainIdPlugin],
  schema: { defaultBehavior: '-insert -update -delete -mutationField' },
  pgServices: [pgService],
  grafserv: { graphqlPath: '/graphql', graphiql: false, graphiqlOnGraphQLGET: false, watch: false, websockets: false },
  grafast: { explain: false },
};

const instance = postgraphile(preset);
await instance.getSchemaResult();
const server = createServer();
server.keepAliveTimeout = 65_000;
await instance.createServ(grafserv).addTo(server);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
process.once('SIGTERM', async () => {
  server.closeAllConnections();
  server.close();
  await instance.release();
  await pgService.release();
  process.exit(0);
});
