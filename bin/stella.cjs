#!/usr/bin/env node
// Node entry point of the `stella` command: runs the CLI bundle (dist/stella.cjs) with argv,
// using the compiled code the build stored beside it when that was made for this very bundle and
// Node (see scripts/build-cli.mjs). The `stella` wrapper next to this file may have set
// NODE_EXTRA_CA_CERTS and SSL_CERT_FILE aside to spare Node work at start-up; they are put back
// here, before the CLI reads the environment.
'use strict';

const { readFileSync, statSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, '..', 'dist', 'stella.cjs');
const CACHE = `${BUNDLE}.v8-cache`;
const DEFERRED_PREFIX = 'STELLA_DEFERRED_';
const DEFERRED_NAMES = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'];

/** The build's code cache, or undefined when it is missing or was made for another bundle or Node. */
function codeCache(bundle = BUNDLE, cache = CACHE) {
  try {
    const file = readFileSync(cache);
    const newline = file.indexOf(10);
    const made = JSON.parse(file.subarray(0, newline).toString('utf8'));
    const current = statSync(bundle);
    if (made.node !== process.version || made.bundleSize !== current.size || made.bundleMtimeMs !== Math.floor(current.mtimeMs)) return undefined;
    return file.subarray(newline + 1);
  } catch {
    return undefined;
  }
}

/**
 * Loads the bundle as Node would require it, with the code cache where it fits. V8 checks the
 * cache's checksum only with --verify-snapshot-checksum (the build made the cache with it on), so
 * a damaged cache is refused instead of crashing the process.
 */
function loadCli(bundle = BUNDLE, cache = CACHE) {
  const cachedData = codeCache(bundle, cache);
  if (cachedData) setFlagsFromString('--verify-snapshot-checksum');
  const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle));
  const codeCacheUse = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return { cli: module.exports, codeCacheUse };
}

/**
 * Puts back the variables bin/stella set aside: "=<value>" was set, "" was not. Under
 * --use-openssl-ca, Node makes its root store from SSL_CERT_FILE once, with the first TLS context,
 * so that context is made first, while SSL_CERT_FILE still names the empty /dev/null (~5 ms,
 * loading node:tls included, which every check that connects loads anyway).
 */
function restoreDeferredEnvironment() {
  if (`${DEFERRED_PREFIX}SSL_CERT_FILE` in process.env && process.execArgv.includes('--use-openssl-ca')) {
    require('node:tls').createSecureContext();
  }
  for (const name of DEFERRED_NAMES) {
    const deferred = process.env[DEFERRED_PREFIX + name];
    if (deferred === undefined) continue;
    if (deferred.startsWith('=')) process.env[name] = deferred.slice(1);
    else delete process.env[name];
    delete process.env[DEFERRED_PREFIX + name];
  }
}

if (require.main === module) {
  restoreDeferredEnvironment();
  let cli;
  try {
    cli = loadCli().cli;
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    process.stderr.write(`stella: the CLI is not built (${BUNDLE} is missing): run npm ci, or npm run build\n`);
    process.exit(3);
  }
  cli.main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

module.exports = { loadCli };
