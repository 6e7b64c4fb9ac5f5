// The formatting gate of the test command: every code file in src/, test/, scripts/ and bench/ is
// as Prettier would write it, and no line in src/ is wider than Prettier's printWidth (Prettier
// never breaks a string or a comment, so this catches what it leaves long). Prints each offence.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as prettier from 'prettier';

const ROOTS = ['src', 'test', 'scripts', 'bench'];
const CODE = /\.(ts|tsx|mts|mjs|js)$/;

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (CODE.test(entry.name)) yield path;
  }
}

let offences = 0;
for (const root of ROOTS) {
  for await (const path of files(root)) {
    const text = await readFile(path, 'utf8');
    const options = { ...(await prettier.resolveConfig(path)), filepath: path };
    if (!(await prettier.check(text, options))) {
      offences++;
      console.log(`${path}: not formatted (npm run format)`);
    }
    if (root !== 'src') continue;
    text.split('\n').forEach((line, index) => {
      if (line.length <= options.printWidth) return;
      offences++;
      console.log(`${path}:${index + 1}: ${line.length} characters, more than ${options.printWidth}`);
    });
  }
}
console.log(offences === 0 ? 'formatting: clean' : `formatting: ${offences} offences`);
process.exitCode = offences === 0 ? 0 : 1;
