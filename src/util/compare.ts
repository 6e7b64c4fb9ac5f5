// Plain code-point ordering for ids and keys. `localeCompare` would load ICU collation on first
// use (~10 ms of start-up) for strings that are ASCII identifiers anyway.

export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
