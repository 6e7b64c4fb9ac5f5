// The package version, read once from package.json next to the compiled code.

import { readFileSync } from 'node:fs';

export const PACKAGE_ROOT = new URL('../', import.meta.url);

export const DOCTOR_VERSION: string = (
  JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }
).version;
