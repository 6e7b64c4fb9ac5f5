#!/usr/bin/env node
// Node entry point of the `stella` command: runs the CLI bundle (dist/stella.cjs, see
// scripts/build-cli.mjs) with argv. The `stella` wrapper next to this file may have moved
// NODE_EXTRA_CA_CERTS aside to spare Node from parsing it at start-up; it is put back here,
// before the CLI reads the environment.
'use strict';

const DEFERRED = 'STELLA_DEFERRED_NODE_EXTRA_CA_CERTS';
if (DEFERRED in process.env) {
  process.env.NODE_EXTRA_CA_CERTS = process.env[DEFERRED];
  delete process.env[DEFERRED];
}

require('../dist/stella.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
