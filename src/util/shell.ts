// Quoting for POSIX shells, for every command the tool prints for a person to paste.

/** The value as one shell word: bare when it is plainly safe, else in single quotes. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./<>-]+$/.test(value) && !/[<>]/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The value as one double-quoted shell word (`$`, backquote, `"`, `\` escaped), for text holding single quotes. */
export function shellDoubleQuote(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}
