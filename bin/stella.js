#!/usr/bin/env node
// Entry point of the `stella` command: loads the compiled CLI and hands it argv.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
