// The red-flag lexicon: loading (YAML → zod → compiled indexes, once) and screening one text.
// Patterns are data a clinician edits in red-flag-lexicon.yaml; this file only knows the syntax:
//   word       the word in any form the Snowball stemmer gives one stem («бьёт» = «бьет» = «БЬЁТ»)
//   =word      this form only (plus case, ё/е, ь/ъ, doubled letters and unstressed-vowel slips)
//   word*      any word that begins with these letters
//   a/b/c      any of these in this place
//   {group}    any word of a group defined at the top of the file
//   … or ...   up to `gap` other words in between (…5: up to 5); never across a sentence end
// Words written next to each other must stand next to each other in the message.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { distance as editDistance } from "fastest-levenshtein";
import { parse as parseYaml } from "yaml";
import { type LexiconEntryData, lexiconFileSchema } from "./lexicon-schema.ts";
import { BREAK, deletions, lightKey, normalizeWord, soundKey, stemOf, tokenize } from "./russian-words.ts";

export type RedFlagLevel = "P0" | "P1";

export interface LexiconEntry {
  id: string;
  level: RedFlagLevel;
  why: { ru: string; en: string };
  examples: { match: string[]; noMatch: string[] };
}

/** A lexicon ready to screen with: entries in file order plus the word indexes built once. */
export interface Lexicon {
  file: string;
  entries: readonly LexiconEntry[];
  screen(text: string): LexiconScreenResult;
}

export type LexiconScreenResult = { type: "none" } | { type: "hit"; level: RedFlagLevel; matches: string[] };

export type LexiconLoadResult =
  | { type: "ok"; lexicon: Lexicon }
  | { type: "invalid"; file: string; problems: string[] };

/** The lexicon shipped with the service. */
export const DEFAULT_LEXICON_FILE = fileURLToPath(new URL("./red-flag-lexicon.yaml", import.meta.url));

const NEGATIONS = new Set(["не", "ни"]);
// Forms shorter than this get no sound-alike key, and shorter than FUZZY_MIN no one-edit tolerance:
// in short Russian words one letter is often a different word («бил/был», «душит/дышит»).
const SOUND_MIN = 4;
const FUZZY_MIN = 8;
const WORD_CACHE_MAX = 50_000;

interface Slot {
  stems: Set<string>;
  // Forms written «=form»: no stem and no one-edit tolerance, only case/ё/ь/doubled-letter/vowel slips.
  exact: Set<string>;
  prefixes: string[];
  surfaces: Set<string>;
  containsNegation: boolean;
}

interface Pattern {
  slots: number[];
  // Most words allowed between slot i-1 and slot i (0 = adjacent, the entry's gap after …); gaps[0] is unused.
  gaps: number[];
}

/** One message being screened: its words, the slots each word fills, and where each slot occurs. */
interface Match {
  tokens: string[];
  at: Set<number>[];
  where: Map<number, number[]>;
}

interface CompiledEntry {
  entry: LexiconEntry;
  negatable: boolean;
  patterns: Pattern[];
  unless: Pattern[];
}

/** Reads, validates and compiles a lexicon file. Every problem is reported with the entry it is in. */
export function loadLexicon(file: string = DEFAULT_LEXICON_FILE): LexiconLoadResult {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"), { uniqueKeys: true });
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return { type: "invalid", file, problems: [`cannot read the file: ${reason}`] };
  }
  return compileLexicon(raw, file);
}

/** Validates and compiles lexicon data already parsed from YAML/JSON (tests build bad ones in memory). */
export function compileLexicon(raw: unknown, file = "(in memory)"): LexiconLoadResult {
  const parsed = lexiconFileSchema.safeParse(raw);
  if (!parsed.success) {
    const entries = Array.isArray((raw as { entries?: unknown })?.entries)
      ? (raw as { entries: unknown[] }).entries
      : [];
    const problems = parsed.error.issues.map((issue) => {
      const [top, index, ...rest] = issue.path;
      if (top === "entries" && typeof index === "number") {
        const id = (entries[index] as { id?: unknown } | undefined)?.id;
        const name = typeof id === "string" ? `entry "${id}"` : `entry #${index + 1}`;
        return `${name}${rest.length ? ` (${rest.join(".")})` : ""}: ${issue.message}`;
      }
      return `${issue.path.join(".") || "file"}: ${issue.message}`;
    });
    return { type: "invalid", file, problems };
  }

  const data = parsed.data;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of data.entries) {
    if (seen.has(e.id)) problems.push(`entry "${e.id}": the id is used twice`);
    seen.add(e.id);
  }

  const builder = new IndexBuilder(data.groups);
  const compiled: CompiledEntry[] = [];
  for (const e of data.entries) {
    const compilePatterns = (list: string[], what: string): Pattern[] =>
      list.flatMap((source) => {
        const result = builder.pattern(source, e.gap);
        if (typeof result === "string") {
          problems.push(`entry "${e.id}" (${what} "${source}"): ${result}`);
          return [];
        }
        return [result];
      });
    compiled.push({
      entry: toEntry(e),
      negatable: e.negatable,
      patterns: compilePatterns(e.patterns, "pattern"),
      unless: compilePatterns(e.unless, "unless"),
    });
  }
  if (problems.length > 0) return { type: "invalid", file, problems };

  const lexicon = new CompiledLexicon(file, compiled, builder);
  // The examples are part of the contract: a lexicon whose own examples fail is not loaded.
  for (const c of compiled) {
    for (const text of c.entry.examples.match) {
      if (!lexicon.matchedIds(text).includes(c.entry.id))
        problems.push(`entry "${c.entry.id}": example does not match: «${text}»`);
    }
    for (const text of c.entry.examples.noMatch) {
      if (lexicon.matchedIds(text).includes(c.entry.id))
        problems.push(`entry "${c.entry.id}": example must not match: «${text}»`);
    }
  }
  if (problems.length > 0) return { type: "invalid", file, problems };
  return { type: "ok", lexicon };
}

function toEntry(e: LexiconEntryData): LexiconEntry {
  return {
    id: e.id,
    level: e.level,
    why: e.why,
    examples: { match: e.examples.match, noMatch: e.examples.no_match },
  };
}

/** Collects every distinct slot of every pattern and indexes its words by stem, sound and one-edit keys. */
class IndexBuilder {
  readonly slots: Slot[] = [];
  private readonly slotIds = new Map<string, number>();
  readonly byStem = new Map<string, number[]>();
  readonly bySound = new Map<string, number[]>();
  // One-edit keys → the sound-alike forms that have them, with their slots (verified by edit distance).
  readonly byFuzzy = new Map<string, { sound: string; slot: number }[]>();
  readonly prefixSlots: number[] = [];

  constructor(private readonly groups: Record<string, string[]>) {}

  /** Parses one pattern; a string return is the problem with it. */
  pattern(source: string, gap: number): Pattern | string {
    const parts = source
      .replace(/(?:\.\.\.|…)(\d*)/g, " …$1 ")
      .split(/\s+/)
      .filter((p) => p !== "");
    const slots: number[] = [];
    const gaps: number[] = [];
    let pendingGap = 0;
    for (const part of parts) {
      const dots = /^…(\d*)$/.exec(part);
      if (dots) {
        if (slots.length === 0) return "a pattern cannot start with …";
        pendingGap = dots[1] ? Number(dots[1]) : gap;
        if (pendingGap < 1 || pendingGap > 8) return "a gap …N is 1 to 8 words";
        continue;
      }
      const slot = this.slot(part);
      if (typeof slot === "string") return slot;
      gaps.push(pendingGap);
      slots.push(slot);
      pendingGap = 0;
    }
    if (slots.length === 0) return "an empty pattern";
    if (pendingGap !== 0) return "a pattern cannot end with …";
    return { slots, gaps };
  }

  private slot(part: string): number | string {
    const words: string[] = [];
    for (const alt of part.split("/")) {
      if (alt === "") return `an empty alternative in "${part}"`;
      const group = /^\{(.+)\}$/.exec(alt);
      if (group) {
        const list = this.groups[group[1]!];
        if (!list) return `unknown group {${group[1]}}`;
        words.push(...list);
      } else words.push(alt);
    }
    const key = words.join("/");
    const known = this.slotIds.get(key);
    if (known !== undefined) return known;

    const slot: Slot = {
      stems: new Set(),
      exact: new Set(),
      prefixes: [],
      surfaces: new Set(),
      containsNegation: false,
    };
    for (const spelled of words) {
      const exact = spelled.startsWith("=");
      const prefix = spelled.endsWith("*");
      const folded = spelled
        .replace(/^=|\*$/g, "")
        .toLowerCase()
        .replace(/ё/g, "е");
      if (!/^[\p{L}\p{N}]+$/u.test(folded))
        return `"${spelled}" is not one word (letters only, with = before or * after)`;
      const word = normalizeWord(folded);
      if (NEGATIONS.has(word)) slot.containsNegation = true;
      if (prefix) {
        slot.prefixes.push(word);
        continue;
      }
      slot.surfaces.add(word);
      if (exact) slot.exact.add(word);
      else slot.stems.add(lightKey(stemOf(word)));
    }
    const id = this.slots.length;
    this.slots.push(slot);
    this.slotIds.set(key, id);
    for (const s of slot.stems) push(this.byStem, s, id);
    for (const w of slot.surfaces) {
      push(this.bySound, lightKey(w), id);
      const sound = soundKey(w);
      if (w.length >= SOUND_MIN) push(this.bySound, sound, id);
      if (sound.length >= FUZZY_MIN && !slot.exact.has(w)) {
        for (const d of fuzzyKeys(sound)) {
          const list = this.byFuzzy.get(d) ?? [];
          if (!list.some((f) => f.sound === sound && f.slot === id)) list.push({ sound, slot: id });
          this.byFuzzy.set(d, list);
        }
      }
    }
    if (slot.prefixes.length > 0) this.prefixSlots.push(id);
    return id;
  }
}

// One edit anywhere but the first letter: people rarely mistype the first letter, and a different first
// letter is usually a different word («голодный/холодный»).
function fuzzyKeys(sound: string): string[] {
  const first = sound.slice(0, 1);
  const rest = sound.slice(1);
  return [rest, ...deletions(rest)].map((d) => `${first}:${d}`);
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [id]);
  else if (!list.includes(id)) list.push(id);
}

class CompiledLexicon implements Lexicon {
  readonly entries: readonly LexiconEntry[];
  private readonly levels: Map<string, RedFlagLevel>;
  private readonly wordCache = new Map<string, Set<number>>();

  constructor(
    readonly file: string,
    private readonly compiled: CompiledEntry[],
    private readonly index: IndexBuilder,
  ) {
    this.entries = compiled.map((c) => c.entry);
    this.levels = new Map(this.entries.map((e) => [e.id, e.level]));
  }

  screen(text: string): LexiconScreenResult {
    const ids = this.matchedIds(text);
    if (ids.length === 0) return { type: "none" };
    const level: RedFlagLevel = ids.some((id) => this.levels.get(id) === "P0") ? "P0" : "P1";
    return { type: "hit", level, matches: ids };
  }

  /** Ids of the entries that match, in file order. */
  matchedIds(text: string): string[] {
    const tokens = tokenize(text);
    if (tokens.length === 0) return [];
    const at = tokens.map((t) => {
      let slots = this.wordCache.get(t);
      if (!slots) {
        // Bounded: the same few thousand words come back in message after message.
        if (this.wordCache.size >= WORD_CACHE_MAX) this.wordCache.clear();
        slots = this.slotsOf(t);
        this.wordCache.set(t, slots);
      }
      return slots;
    });
    // Where each slot occurs: a pattern is only tried from the places its first word stands.
    const where = new Map<number, number[]>();
    at.forEach((slots, i) => {
      for (const id of slots) {
        const list = where.get(id);
        if (list) list.push(i);
        else where.set(id, [i]);
      }
    });
    const m: Match = { tokens, at, where };
    return this.compiled.filter((c) => this.entryHits(c, m)).map((c) => c.entry.id);
  }

  private slotsOf(token: string): Set<number> {
    const found = new Set<number>();
    if (token === BREAK) return found;
    const { byStem, bySound, byFuzzy, prefixSlots, slots } = this.index;
    const add = (list: number[] | undefined) => {
      if (list) for (const id of list) found.add(id);
    };
    add(byStem.get(lightKey(stemOf(token))));
    add(bySound.get(lightKey(token)));
    const sound = soundKey(token);
    if (token.length >= SOUND_MIN) add(bySound.get(sound));
    if (sound.length >= FUZZY_MIN) {
      for (const d of fuzzyKeys(sound)) {
        for (const f of byFuzzy.get(d) ?? [])
          if (!found.has(f.slot) && editDistance(f.sound, sound) <= 1) found.add(f.slot);
      }
    }
    for (const id of prefixSlots) {
      if (slots[id]!.prefixes.some((p) => token.startsWith(p))) found.add(id);
    }
    return found;
  }

  private entryHits(c: CompiledEntry, m: Match): boolean {
    for (const p of c.patterns) {
      for (const [start, end] of spans(p, m)) {
        if (
          c.negatable &&
          !this.index.slots[p.slots[0]!]!.containsNegation &&
          NEGATIONS.has(m.tokens[start - 1] ?? "")
        ) {
          continue;
        }
        // Only the word before, the hit itself or the two words after cancel it («кот пропал», «заберут ребёнка из садика»).
        if (c.unless.some((u) => spans(u, m).some(([s, e]) => e >= start - 1 && s <= end + 2))) continue;
        return true;
      }
    }
    return false;
  }
}

/** Every [start, end] token span where the pattern matches (the nearest completion from each start). */
function spans(p: Pattern, m: Match): [number, number][] {
  const out: [number, number][] = [];
  for (const start of m.where.get(p.slots[0]!) ?? []) {
    const end = extend(p, m.tokens, m.at, 1, start);
    if (end !== -1) out.push([start, end]);
  }
  return out;
}

function extend(p: Pattern, tokens: string[], at: Set<number>[], i: number, pos: number): number {
  if (i === p.slots.length) return pos;
  const limit = Math.min(at.length - 1, pos + 1 + p.gaps[i]!);
  for (let next = pos + 1; next <= limit; next++) {
    if (tokens[next] === BREAK) break;
    if (at[next]!.has(p.slots[i]!)) {
      const end = extend(p, tokens, at, i + 1, next);
      if (end !== -1) return end;
    }
  }
  return -1;
}
