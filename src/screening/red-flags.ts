// Red-flag screening of every free text (design.md §3): the public face of the lexicon. Prefer false
// positives for danger to life now; never raise P0 on a topic word alone. Results carry lexicon ids,
// never the person's words, so they are safe to log and store.
import {
  DEFAULT_LEXICON_FILE,
  type Lexicon,
  type LexiconLoadResult,
  loadLexicon as loadLexiconFile,
  type RedFlagLevel,
} from "./lexicon.ts";

export type { Lexicon, LexiconLoadResult, RedFlagLevel } from "./lexicon.ts";
export { compileLexicon, DEFAULT_LEXICON_FILE } from "./lexicon.ts";

export type RedFlagResult = { type: "none" } | { type: "hit"; level: RedFlagLevel; matches: string[] };

let active: Lexicon | null = null;
const ids: string[] = [];
// The shipped file, read once (at import, for RED_FLAG_IDS) and reused by main.ts's check at start.
let shipped: LexiconLoadResult | null = null;

/** Reads, validates and compiles a lexicon file (default: the shipped one, read only once). */
export function loadLexicon(file: string = DEFAULT_LEXICON_FILE): LexiconLoadResult {
  if (file !== DEFAULT_LEXICON_FILE) return loadLexiconFile(file);
  shipped ??= loadLexiconFile(DEFAULT_LEXICON_FILE);
  return shipped;
}

/**
 * Makes `lexicon` the one every screening uses. main.ts loads the configured file at start (and
 * refuses to start when it is invalid), then calls this; without it the shipped file is used.
 */
export function useLexicon(lexicon: Lexicon): void {
  active = lexicon;
  ids.splice(0, ids.length, ...lexicon.entries.map((e) => e.id));
}

function current(): Lexicon {
  if (active) return active;
  const loaded = loadLexicon(DEFAULT_LEXICON_FILE);
  // The shipped file is checked by tests and at start; reaching this means a broken build.
  if (loaded.type === "invalid")
    throw new Error(`red-flag lexicon is invalid: ${loaded.problems.join("; ")}`);
  useLexicon(loaded.lexicon);
  return loaded.lexicon;
}

/** Screens one free text. Matches are lexicon ids in lexicon order; level is the highest hit. */
export function screenRedFlags(text: string): RedFlagResult {
  return current().screen(text);
}

/** The operator-facing reason for a lexicon id (the id itself if the lexicon has no such entry). */
export function describeRedFlag(id: string, locale: "ru" | "en"): string {
  const entry = current().entries.find((e) => e.id === id);
  return entry ? entry.why[locale] : id;
}

// Load the shipped file at import so RED_FLAG_IDS is filled. A broken file must not crash the import:
// main.ts reports it with the entry named and exits; screening itself then throws rather than pass.
try {
  current();
} catch {
  // reported by loadLexicon at start
}

/** The ids the lexicon can report (for tests and for documentation of stored values). */
export const RED_FLAG_IDS: readonly string[] = ids;
