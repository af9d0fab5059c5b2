// Pure helpers for free text typed by a person: cleaning before storage/screening, and matching
// typed text to the buttons of the current step (principle 5: every step works without buttons).

export type CleanTextResult =
  | { type: "empty" }
  | { type: "emoji_only" }
  | { type: "ok"; text: string; truncated: boolean };

export interface TextOption {
  id: string;
  labels: string[];
}

// Bidi overrides/isolates, zero-width spaces and BOM: invisible, used to spoof text, never meaningful here.
// ZWJ (U+200D) is kept because it glues emoji sequences together.
const INVISIBLE = /[\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/gu;
// C0/C1 control characters except \n (newlines are normalised before this runs; tabs become spaces).
const CONTROL = /(?!\n)\p{Cc}/gu;
// Everything an emoji-only message may consist of: pictographs, ZWJ, variation selectors, keycap,
// skin tones, regional indicators (flags) and tag characters (subdivision flags).
const EMOJI_PARTS =
  /\p{Extended_Pictographic}|\u200D|[\uFE0E\uFE0F\u20E3]|[\u{1F3FB}-\u{1F3FF}]|[\u{1F1E6}-\u{1F1FF}]|[\u{E0020}-\u{E007F}]/gu;

/**
 * Cleans typed text: NFC, CRLF → LF, tabs → spaces, strips control and invisible characters,
 * collapses runs of spaces (newlines are kept, at most one blank line in a row), trims every line.
 * Emoji-only and empty input are reported as such; text over `maxLength` code points is cut.
 */
export function cleanText(input: string, maxLength: number): CleanTextResult {
  const text = String(input ?? "")
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .replace(/[\t\v\f\u0085\u2028\u2029]/g, (c) =>
      c === "\u2028" || c === "\u2029" || c === "\u0085" ? "\n" : " ",
    )
    .replace(CONTROL, "")
    .replace(INVISIBLE, "")
    .replace(/[^\S\n]+/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();

  if (text === "") return { type: "empty" };
  if (text.replace(EMOJI_PARTS, "").replace(/\s+/g, "") === "") return { type: "emoji_only" };

  // Count code points, not UTF-16 units, so a cut never splits a surrogate pair.
  const points = Array.from(text);
  if (points.length <= maxLength) return { type: "ok", text, truncated: false };
  const cut = points.slice(0, Math.max(0, maxLength)).join("").trimEnd();
  return { type: "ok", text: cut, truncated: true };
}

/**
 * Folds text for matching: NFC, lower case, ё → е, every run of non-letters/digits → one space.
 * Shared by option, region and red-flag matching so they agree on what "the same word" means.
 */
export function foldText(input: string): string {
  return String(input ?? "")
    .normalize("NFC")
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * Maps typed text to a button when it clearly means one: the 1-based option number ("2", "2.", "№2"),
 * a label typed in full, or the beginning of exactly one label (case- and ё-insensitive, punctuation
 * and emoji ignored). Anything ambiguous or unknown → null, and the engine asks again.
 */
export function matchOptionByText(text: string, options: TextOption[]): string | null {
  const typed = foldText(text);
  if (typed === "") return null;

  if (/^\d{1,3}$/.test(typed)) {
    const option = options[Number(typed) - 1];
    return option ? option.id : null;
  }

  const folded = options.map((o) => ({ id: o.id, labels: o.labels.map(foldText).filter((l) => l !== "") }));

  const exact = unique(folded.filter((o) => o.labels.includes(typed)).map((o) => o.id));
  if (exact.length > 0) return exact.length === 1 ? exact[0]! : null;

  // A beginning must be at least two letters long to count as a clear choice.
  if (Array.from(typed).length < 2) return null;
  const prefixed = unique(folded.filter((o) => o.labels.some((l) => l.startsWith(typed))).map((o) => o.id));
  return prefixed.length === 1 ? prefixed[0]! : null;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

// ── Calls for help ───────────────────────────────────────────────────────────

// Words that are a call for help by themselves (misspellings included: a frightened person types fast).
const HELP_CORE =
  /^(?:п[ао]м[ао]г(?:и|ите|ити|айте)|спаси|спасите|срочн\p{L}*|экстренн\p{L}*|помощь|помощи|сос|sos|help|хелп|emergency|urgent|urgently)$/u;
// The same without the everyday ones ("срочно", "помощь"): these inside a longer text still count.
const HELP_STRONG = /^(?:п[ао]м[ао]г(?:и|ите|ити|айте)|спаси|спасите|сос|sos|help|хелп)$/u;
// Words that may surround a call for help without making it a different message.
const HELP_FILLER = new Set([
  "пожалуйста", "пожалуста", "плиз", "пж", "пжл", "умоляю", "очень", "скорее", "быстрее", "срочно", "кто", "нибудь",
  "нужна", "нужно", "надо", "мне", "нам", "нас", "меня", "нужен", "ну", "а", "о", "господи", "сейчас", "please", "me",
  "us", "i", "need", "now", "the", "a", "someone", "somebody", "pls", "plz",
]);

export type HelpCall = "only" | "contains" | "none";

/**
 * Whether typed text is a call for help: "only" when the message is nothing else («помогите!»,
 * «SOS», «HELP ME», «срочно нужна помощь»), "contains" when a strong help word is part of a longer
 * text («помогите, нечем платить за квартиру»), else "none". Case, ё, punctuation, emoji and
 * stretched letters («помогитеее», «sooos») are ignored.
 */
export function callForHelp(text: string): HelpCall {
  const words = foldText(text).split(" ").filter(Boolean);
  if (words.length === 0) return "none";
  // No help word has a doubled letter, so a squeezed form may be tested too.
  const is = (re: RegExp, w: string) => re.test(w) || re.test(w.replace(/(\p{L})\1+/gu, "$1"));
  const core = words.filter((w) => is(HELP_CORE, w));
  if (core.length > 0 && words.length <= 8 && words.every((w) => is(HELP_CORE, w) || HELP_FILLER.has(w))) return "only";
  return words.some((w) => is(HELP_STRONG, w)) ? "contains" : "none";
}

// ── A young person writing ──────────────────────────────────────────────────

// Words after "мне 15" that make it an amount, not an age («мне 15 тысяч надо»).
const NOT_AGE_UNIT = /^(?:тыс\p{L}*|т|руб\p{L}*|р|к|k|минут\p{L}*|мин|час\p{L}*|раз\p{L}*|дн\p{L}*|дет\p{L}*|ребен\p{L}*|кг|км|процент\p{L}*|числ\p{L}*|штук\p{L}*|ме?сяц\p{L}*|недел\p{L}*)$/u;
const AGE_WORD = /^(?:лет|год|года|годиков|годика|y|yo|years?)$/u;

/**
 * An age typed on its own: «15», «15 лет», «мне 15», «I'm 15». Null when the text is something else.
 * Only read where the question is about age or the text is not an answer to anything.
 */
export function typedAge(text: string): number | null {
  const w = foldText(text).replace(/^(?:мне|i m|im|i am)(?: (?:уже|всего|только|еще))? /u, "");
  const m = /^(\d{1,2})(?: (\p{L}+))?$/u.exec(w);
  if (!m) return null;
  if (m[2] !== undefined && !AGE_WORD.test(m[2])) return null;
  return Number(m[1]);
}

/**
 * The writer says they are under 18, anywhere in the text: «мне 15», «мне 15 лет, хочу поговорить»,
 * «я подросток», «мне ещё нет 18», «I'm 15». Ages below 7 are a child's, not the writer's.
 */
export function saysMinor(text: string): boolean {
  const words = foldText(text).split(" ").filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (w === "мне" || w === "im" || (w === "m" && words[i - 1] === "i") || (w === "am" && words[i - 1] === "i")) {
      let j = i + 1;
      if (words[j] === "уже" || words[j] === "всего" || words[j] === "только" || words[j] === "еще") j++;
      const n = /^\d{1,2}$/.test(words[j] ?? "") ? Number(words[j]) : null;
      const after = words[j + 1];
      if (n !== null && n >= 7 && n < 18 && (after === undefined || !NOT_AGE_UNIT.test(after))) return true;
      if (w === "мне" && (next === "нет" || (next === "еще" && words[i + 2] === "нет")) && words.includes("18")) return true;
    }
    if (w === "я" && next !== undefined) {
      const k = next === "еще" || next === "уже" ? words[i + 2] : next;
      if (k !== undefined && /^(?:подросток|школьни(?:к|ца)|несовершеннолетн\p{L}*|ученик|ученица)$/u.test(k)) return true;
    }
    if ((w === "a" || w === "am") && (next === "teen" || next === "teenager" || next === "minor")) return true;
  }
  return false;
}
