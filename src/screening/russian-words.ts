// How a typed message becomes words for red-flag matching, and the keys under which two spellings
// count as "the same word". People in distress write fast: no punctuation, CAPS, «помогииите»,
// «бъет», «убю», a Latin «о» typed inside a Russian word. The Snowball stemmer (a maintained
// library, not our word lists) takes care of endings: «избивает/избивают/избивал» share a stem.
import { stemmer as stemEnglish } from "@orama/stemmers/english";
import { stemmer as stemRussian } from "@orama/stemmers/russian";

/** A sentence break: gaps in patterns never reach across one. */
export const BREAK = "|";

const CYRILLIC = /\p{Script=Cyrillic}/u;
const LATIN = /[a-z]/;
// Latin letters that look like Cyrillic ones; mapped only inside a word that mixes both scripts.
const LOOKALIKE: Record<string, string> = {
  a: "а",
  e: "е",
  o: "о",
  p: "р",
  c: "с",
  x: "х",
  y: "у",
  k: "к",
  m: "м",
  t: "т",
  h: "н",
  b: "в",
  u: "и",
};

/**
 * Splits text into normalised words: NFC, lower case, ё → е, emoji and punctuation dropped, a sentence
 * end («.», «!», «?», «;» — not «…», and not a new line: people send one phrase a line) becomes
 * {@link BREAK}. Runs of three or more of one
 * letter shrink to one («помогииите» → «помогите»).
 */
export function tokenize(input: string): string[] {
  const text = String(input ?? "")
    .normalize("NFC")
    .toLowerCase()
    // «бьёооот»: a stretched ё is typed as ё followed by о's.
    .replace(/ё[оo]+/g, "ё")
    .replace(/ё/g, "е")
    .replace(/(?<!\.)\.(?!\.)|[!?;]+/g, ` ${BREAK} `)
    .replace(/[^\p{L}\p{N}|]+/gu, " ");
  const out: string[] = [];
  for (const raw of text.split(" ")) {
    if (raw === "") continue;
    if (raw === BREAK) {
      if (out.length > 0 && out[out.length - 1] !== BREAK) out.push(BREAK);
      continue;
    }
    out.push(normalizeWord(raw.replace(/\|/g, "")));
  }
  while (out[out.length - 1] === BREAK) out.pop();
  return out.filter((w) => w !== "");
}

/** One folded word: lookalike Latin letters inside a Cyrillic word, long letter runs shrunk. */
export function normalizeWord(word: string): string {
  let w = word;
  if (CYRILLIC.test(w) && LATIN.test(w)) w = w.replace(/[a-z]/g, (c) => LOOKALIKE[c] ?? c);
  return w.replace(/(\p{L})\1{2,}/gu, "$1");
}

/** The Snowball stem (Russian for Cyrillic words, English for Latin ones, the word itself otherwise). */
export function stemOf(word: string): string {
  if (CYRILLIC.test(word)) return stemRussian(word);
  if (LATIN.test(word)) return stemEnglish(word);
  return word;
}

/** ь/ъ dropped and doubled letters single: «бъет», «бьет», «бет» are one word; so are «ссора» and «сора». */
export function lightKey(word: string): string {
  return word.replace(/[ьъ]/g, "").replace(/(\p{L})\1+/gu, "$1");
}

/**
 * A rough sound-alike of the whole form, for misspellings of unstressed vowels and й: «убъет» ~ «убьет»,
 * «памагите» ~ «помогите», «самоубиство» ~ «самоубийство». Used for listed forms of 4+ letters only,
 * where an accidental collision with another everyday word is unlikely.
 */
export function soundKey(word: string): string {
  return lightKey(word.replace(/о/g, "а").replace(/[еэ]/g, "и").replace(/й/g, "и")).replace(
    /(\p{L})\1+/gu,
    "$1",
  );
}

/** Every string made by deleting one letter: two words within one edit share one of these. */
export function deletions(word: string): string[] {
  const chars = Array.from(word);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) out.push(chars.slice(0, i).join("") + chars.slice(i + 1).join(""));
  return out;
}
