#!/usr/bin/env node
// The CLI runs the compiled output; `npm start` and `npm test` build it first.
require('../dist/main.js');
