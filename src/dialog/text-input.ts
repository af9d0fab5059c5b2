// Pure helpers for free text typed by a person: cleaning before storage/screening, and matching
// typed text to the buttons of the current step (principle 5: every step works without buttons).
import { stemmer as stemRussian } from "@orama/stemmers/russian";
import { distance } from "fastest-levenshtein";

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
 * Maps typed text to a button when it clearly means one (principle 5). In order, the first that decides:
 * 1. the 1-based option number ("2", "2.", "№2");
 * 2. a label or one of its words typed in full;
 * 3. the whole text read as answer phrases — labels, option words, everyday yes/no forms («ага»,
 *    «конечно», «неа»; «согласна», «ок» only where a label speaks of consent) and filler words
 *    («да, всё так», «нет, сейчас нет», «да есть») — that all point to the same option;
 * 4. a yes/no word that opens a short answer and is set off by a comma («нет, дети у бабушки»), when
 *    nothing after it says the opposite or turns it («нет, но…»), and the text asks nothing;
 * 5. the beginning of exactly one label (≥ 2 letters);
 * 6. the content words, stemmed (Snowball, typos of one letter forgiven), all found in exactly one
 *    option («мы многодетные», «мне уже есть 18», «позвоните»);
 * 7. one content word of a short answer (≤ 3 words, no negation, no question) that names exactly one
 *    option («после работы вечером»).
 * Case, ё, punctuation and emoji never matter. Anything ambiguous or unknown → null, and the engine asks again.
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

  const words = typed.split(" ");
  const phrases = answerPhrases(folded);
  const asked = /\?/.test(text);

  const byPhrases = readAsPhrases(words, phrases);
  if (byPhrases !== null) return byPhrases;

  if (!asked) {
    const lead = leadingAnswer(String(text ?? ""), phrases);
    if (lead !== null) return lead;
  }

  // A beginning must be at least two letters long to count as a clear choice. A bare yes or no is
  // never the beginning of a label («нет» to «Вы в безопасности?» is not «Нет, мне меньше 18»).
  if (Array.from(typed).length >= 2 && !YES_WORDS.includes(typed) && !NO_WORDS.includes(typed)) {
    const prefixed = unique(folded.filter((o) => o.labels.some((l) => l.startsWith(typed))).map((o) => o.id));
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1) return null;
  }

  const content = contentStems(words);
  if (content.length === 0) return null;
  const optionStems = folded.map((o) => ({ id: o.id, stems: new Set(o.labels.flatMap((l) => l.split(" ")).map(stemOf)) }));
  const covering = unique(optionStems.filter((o) => content.every((c) => hasStem(o.stems, c))).map((o) => o.id));
  if (covering.length === 1) return covering[0]!;
  if (covering.length > 1) return null;

  if (asked || content.length > 3 || words.some((w) => NEGATION.has(w))) return null;
  const named = unique(optionStems.filter((o) => content.some((c) => hasStem(o.stems, c))).map((o) => o.id));
  const naming = content.filter((c) => optionStems.some((o) => hasStem(o.stems, c)));
  return named.length === 1 && naming.length === 1 ? named[0]! : null;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

// ── Answer phrases ───────────────────────────────────────────────────────────

// Everyday yes and no (ru, en), typos of the common ones included.
const YES_WORDS = [
  "да", "ага", "угу", "аха", "ну да", "конечно", "конечно да", "конешно", "канешно", "канечно", "верно", "точно",
  "правильно", "именно", "разумеется", "естественно", "yes", "yep", "yeah", "yup", "sure", "of course",
];
const NO_WORDS = ["нет", "неа", "нету", "нее", "не", "никак нет", "no", "nope", "nah"];
// Agreeing and refusing: yes/no only where an option speaks of consent («Даю согласие»).
const AGREE_WORDS = [
  "ок", "окей", "ok", "okay", "хорошо", "ладно", "давайте", "давай", "согласна", "согласен", "согласны", "соглашаюсь",
  "даю", "даю согласие", "подтверждаю", "не против", "agree", "i agree",
];
const DISAGREE_WORDS = [
  "не согласна", "не согласен", "не согласны", "не даю", "не даю согласие", "не даю согласия", "против", "отказываюсь",
  "ни за что", "не хочу", "disagree", "i disagree", "i do not agree", "i don t agree",
];
// Words around an answer that change nothing («нет, сейчас нет», «да, всё так», «ну, наверное, да»)
// — including the words a person echoes from the question («нет угрозы», «опасности нет»).
const FILLER = new Set(
  (
    "ну вроде наверное наверно кажется пожалуй пока сейчас уже все всё так то это вот же ж а ой спасибо " +
    "пожалуйста спокойно нормально порядке в порядок тихо совсем точно просто лучше мы я мне у нас " +
    "угрозы угроза опасности опасность такого такое подобного please thanks ok"
  ).split(" "),
);
// Words that are nothing but grammar in a longer answer (dropped before comparing content words).
const STOP = new Set(
  (
    "и или а но в во на с со к ко по до за от из у о об для при же ли бы это этот эта эти то так мы я мне меня нам нас " +
    "вы вам вас мой моя мое мои наш наша наши ну вот уже очень лучше просто пожалуйста the a an to of in on for my me i"
  ).split(" "),
);
const NEGATION = new Set(["не", "нет", "ни", "неа", "нету", "no", "not", "dont", "don"]);
// Words after a comma that turn the answer around («нет, но мне страшно»).
const TURN = new Set(["но", "а", "только", "однако", "хотя", "but", "although"]);

type Polarity = "yes" | "no";

/** Every phrase that names an option here, mapped to the options it names. */
function answerPhrases(options: { id: string; labels: string[] }[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  const put = (phrase: string, id: string) => {
    const set = map.get(phrase) ?? new Set<string>();
    set.add(id);
    map.set(phrase, set);
  };
  for (const o of options) for (const l of o.labels) put(l, o.id);
  // Which options are a "yes" and which a "no": the first word of a label, or their typed words.
  const polarity = new Map<string, Polarity>();
  const consentLike = new Set<string>();
  for (const o of options) {
    for (const l of o.labels) {
      const first = l.split(" ")[0] ?? "";
      if (/^(?:да|yes|даю|согласен|согласна|agree)$/.test(first) || l === "i agree") polarity.set(o.id, "yes");
      if (/^(?:нет|no|не)$/.test(first)) polarity.set(o.id, "no");
      if (/соглас|agree/.test(l) || first === "даю") consentLike.add(o.id);
    }
  }
  // Only a yes/no question has both; elsewhere «нет» is no option («Нет, мне меньше 18» among others).
  const values = [...polarity.values()];
  if (!values.includes("yes") || !values.includes("no")) polarity.clear();
  const consent = [...consentLike].some((id) => polarity.get(id) === "yes");
  for (const [id, p] of polarity) {
    for (const w of p === "yes" ? YES_WORDS : NO_WORDS) put(w, id);
    if (consent) for (const w of p === "yes" ? AGREE_WORDS : DISAGREE_WORDS) put(w, id);
  }
  // A refusal word names nothing on other screens, but it is still an answer word, not noise.
  for (const w of [...AGREE_WORDS, ...DISAGREE_WORDS]) if (!map.has(w)) map.set(w, new Set());
  return map;
}

const MAX_PHRASE_WORDS = 6;

/**
 * Reads every word as part of an answer phrase or filler; the option all phrases agree on, if there
 * is exactly one. A word that is neither (a story, a question) → null.
 */
function readAsPhrases(words: string[], phrases: Map<string, Set<string>>): string | null {
  let agreed: Set<string> | null = null;
  let i = 0;
  while (i < words.length) {
    let found: Set<string> | null = null;
    let length = 0;
    for (let n = Math.min(MAX_PHRASE_WORDS, words.length - i); n >= 1; n--) {
      const hit = phraseAt(words.slice(i, i + n), phrases);
      if (hit) {
        found = hit;
        length = n;
        break;
      }
    }
    if (!found) {
      if (!FILLER.has(words[i]!)) return null;
      i++;
      continue;
    }
    i += length;
    const named: Set<string> = found;
    if (named.size === 0) continue;
    const before: string[] = agreed === null ? [...named] : [...agreed];
    agreed = new Set(before.filter((id) => named.has(id)));
  }
  return agreed !== null && agreed.size === 1 ? [...agreed][0]! : null;
}

/** The options a run of words names: exactly, or a single long word with one typo («конечгно»). */
function phraseAt(run: string[], phrases: Map<string, Set<string>>): Set<string> | null {
  const key = run.join(" ");
  const exact = phrases.get(key);
  if (exact) return exact;
  if (run.length !== 1 || key.length < 5) return null;
  let best: Set<string> | null = null;
  for (const [phrase, ids] of phrases) {
    if (phrase.includes(" ") || Math.abs(phrase.length - key.length) > 1) continue;
    if (distance(phrase, key) === 1) {
      if (best) return null;
      best = ids;
    }
  }
  return best;
}

/** «Нет, дети у бабушки»: a yes/no word set off at the start of a short answer that does not turn. */
function leadingAnswer(raw: string, phrases: Map<string, Set<string>>): string | null {
  const m = /^\s*([\p{L}]+)\s*[,.!—–-]+\s*(.*)$/su.exec(raw.normalize("NFC"));
  if (!m) return null;
  const first = foldText(m[1]!);
  const polarity: Polarity | null = YES_WORDS.includes(first) ? "yes" : NO_WORDS.includes(first) ? "no" : null;
  if (!polarity) return null;
  const ids = phrases.get(first);
  if (ids?.size !== 1) return null;
  const rest = foldText(m[2]!).split(" ").filter(Boolean);
  if (rest.length > 6 || (rest[0] !== undefined && TURN.has(rest[0]))) return null;
  const opposite = polarity === "yes" ? [...NO_WORDS, ...NEGATION] : YES_WORDS;
  if (rest.some((w) => opposite.includes(w))) return null;
  return [...(ids as Set<string>)][0]!;
}

// ── Content words ────────────────────────────────────────────────────────────

function stemOf(word: string): string {
  return /\p{Script=Cyrillic}/u.test(word) ? stemRussian(word) : word.replace(/(?:ing|ed|es|s)$/, "");
}

function contentStems(words: string[]): string[] {
  return unique(words.filter((w) => !STOP.has(w) && !FILLER.has(w)).map(stemOf));
}

// Two stems are the same word when equal, when one is a shared beginning of a few letters short of the
// other («напиш» / «написа», «отправля» / «отправ»), or one letter apart in a long word.
function sameStem(a: string, b: string): boolean {
  if (a === b) return true;
  const shorter = Math.min(a.length, b.length);
  if (shorter >= 4) {
    let common = 0;
    while (common < shorter && a[common] === b[common]) common++;
    if (common >= Math.max(4, shorter - 1)) return true;
  }
  return shorter >= 5 && distance(a, b) <= 1;
}

function hasStem(stems: Set<string>, stem: string): boolean {
  if (stems.has(stem)) return true;
  for (const s of stems) if (sameStem(s, stem)) return true;
  return false;
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

// Numbers a person may spell out for an age («мне пятнадцать», «тридцать два года»).
const UNITS: Record<string, number> = {
  один: 1, одна: 1, два: 2, две: 2, три: 3, четыре: 4, пять: 5, шесть: 6, семь: 7, восемь: 8, девять: 9,
};
const TEENS: Record<string, number> = {
  десять: 10, одиннадцать: 11, двенадцать: 12, тринадцать: 13, четырнадцать: 14, пятнадцать: 15,
  шестнадцать: 16, семнадцать: 17, восемнадцать: 18, девятнадцать: 19,
};
const TENS: Record<string, number> = {
  двадцать: 20, тридцать: 30, сорок: 40, пятьдесят: 50, шестьдесят: 60, семьдесят: 70, восемьдесят: 80, девяносто: 90,
};

/** Folded words with spelled-out numbers (up to 99) turned into digits: «тридцать два» → «32». */
function withDigits(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const tens = TENS[w];
    if (tens !== undefined) {
      const unit = UNITS[words[i + 1] ?? ""];
      if (unit !== undefined) i++;
      out.push(String(tens + (unit ?? 0)));
      continue;
    }
    const n = TEENS[w] ?? UNITS[w];
    out.push(n !== undefined ? String(n) : w);
  }
  return out;
}

/**
 * An age typed on its own: «15», «15 лет», «мне 15», «да, мне 34», «мне сорок», «I'm 15». Null when
 * the text is something else. Only read where the question is about age or the text is not an answer to anything.
 */
export function typedAge(text: string): number | null {
  const w = withDigits(foldText(text).split(" "))
    .join(" ")
    .replace(/^(?:да|нет|ну) /u, "")
    .replace(/^(?:мне|i m|im|i am)(?: (?:уже|всего|только|еще))? /u, "");
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
  const words = withDigits(foldText(text).split(" ").filter(Boolean));
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
