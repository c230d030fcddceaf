#!/usr/bin/env node
// Bundles the GraphiQL page (src/server/graphiql/browser/) from npm packages into dist/graphiql/,
// so the page the gateway serves loads nothing from a CDN. Run by `npm run build` and `npm start`.
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
esbuild
  .build({
    entryPoints: { graphiql: path.join(root, 'src/server/graphiql/browser/graphiql-app.jsx') },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    outdir: path.join(root, 'dist/graphiql'),
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl' },
    logLevel: 'warning',
    legalComments: 'none',
  })
  .catch(() => process.exit(1));
