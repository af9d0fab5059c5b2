// A linear scan of a JSON text's nesting depth, run before JSON.parse: a 1 MB body of 500,000
// nested arrays costs JSON.parse (and every later walk of the value) hundreds of milliseconds,
// the scan a millisecond. Strings are skipped, so brackets inside them do not count.

/** True when the text nests objects/arrays deeper than `max`. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
