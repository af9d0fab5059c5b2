// Region and municipality matching for the triage (issue 3, step 4): typed names in any case and
// grammatical form, ё/е, extra words, short forms and capitals, licence-plate/region codes, small typos.
// Pure: the region list and municipalities come in as data; the engine owns every text shown.
import settlementRows from "./places/settlements-ru.json" with { type: "json" };
import { foldText } from "./text-input.ts";

// Towns of Russia (HFLabs «Города России», CC BY-SA 4.0; see places/README.md): [name, region code, population].
const SETTLEMENTS = settlementRows as [string, string, number][];
// A town name found in several regions resolves directly only where its largest town is this many
// times bigger than the next (Киров → 43); otherwise the person chooses (Железногорск → 24 or 46).
const DOMINANCE = 5;
// Towns whose names are everyday words: never matched, so "остров" or "зима" in a sentence stay text.
const COMMON_WORD_TOWNS = new Set(["зима", "бор", "дно", "сим", "остров", "луга", "мирный", "шахты", "поворино"]);

// Region codes each town name points to (after the dominance rule), keyed by the folded name.
function settlementRegions(): Map<string, string[]> {
  const byName = new Map<string, { code: string; population: number }[]>();
  for (const [name, code, population] of SETTLEMENTS) {
    const key = foldText(name);
    if (COMMON_WORD_TOWNS.has(key)) continue;
    const list = byName.get(key) ?? [];
    list.push({ code, population });
    byName.set(key, list);
  }
  const result = new Map<string, string[]>();
  for (const [name, list] of byName) {
    const sorted = [...list].sort((a, b) => b.population - a.population);
    const first = sorted[0]!;
    const rivals = sorted.filter((t) => t.code !== first.code);
    const dominant = rivals.length === 0 || first.population >= DOMINANCE * rivals[0]!.population;
    result.set(name, dominant ? [first.code] : [...new Set(sorted.map((t) => t.code))]);
  }
  return result;
}

export interface RegionInput {
  code: string;
  name: string;
  /** Licence-plate codes of the region, any separator ("63" or "63,163,763"). */
  plateCodes: string;
}

export interface MunicipalityInput {
  id: string;
  regionCode: string;
  key: string;
  name: string;
  aliases: string[];
}

export type RegionMatch =
  | { type: "one"; code: string }
  | { type: "many"; codes: string[] }
  | { type: "none" };
export type MunicipalityMatch =
  | { type: "one"; id: string }
  | { type: "many"; ids: string[] }
  | { type: "none" };

export interface RegionMatcher {
  matchRegion(input: string): RegionMatch;
  matchMunicipality(regionCode: string, input: string): MunicipalityMatch;
}

const MAX_CHOICES = 8;

// Capitals, big cities and everyday short forms, by region code. Only entries whose code is in the
// given region list are used. "алтай" is deliberately on both Altai regions: it is ambiguous.
const REGION_ALIASES: Record<string, string[]> = {
  "01": ["майкоп"],
  "02": ["башкирия", "уфа", "стерлитамак"],
  "03": ["улан удэ"],
  "04": ["горно алтайск"],
  "05": ["махачкала", "дербент"],
  "06": ["магас", "назрань"],
  "07": ["нальчик", "кбр", "кабарда", "кабардино балкария"],
  "08": ["элиста"],
  "09": ["черкесск", "кчр", "карачаево черкесия"],
  "10": ["петрозаводск"],
  "11": ["сыктывкар", "ухта", "воркута"],
  "12": ["йошкар ола", "марий эл"],
  "13": ["саранск"],
  "14": ["якутск"],
  "15": ["владикавказ", "северная осетия", "рсо"],
  "16": ["казань", "набережные челны", "татария"],
  "17": ["кызыл", "тува"],
  "18": ["ижевск", "удмуртия"],
  "19": ["абакан"],
  "20": ["грозный", "чечня"],
  "21": ["чебоксары"],
  "22": ["барнаул", "бийск", "алтай"],
  "23": ["краснодар", "кубань", "сочи", "новороссийск", "анапа"],
  "24": ["красноярск", "норильск"],
  "25": ["владивосток", "приморье", "находка"],
  "26": ["ставрополь", "пятигорск", "кисловодск", "ставрополье"],
  "27": ["хабаровск", "комсомольск на амуре"],
  "28": ["благовещенск", "амур"],
  "29": ["архангельск", "северодвинск"],
  "30": ["астрахань"],
  "31": ["белгород"],
  "32": ["брянск"],
  "33": ["владимир"],
  "34": ["волгоград"],
  "35": ["вологда", "череповец"],
  "36": ["воронеж"],
  "37": ["иваново"],
  "38": ["иркутск", "ангарск", "братск"],
  "39": ["калининград"],
  "40": ["калуга"],
  "41": ["камчатка", "петропавловск камчатский"],
  "42": ["кемерово", "новокузнецк"],
  "43": ["киров"],
  "44": ["кострома"],
  "45": ["курган"],
  "46": ["курск"],
  "47": ["ленобласть", "лен область"],
  "48": ["липецк"],
  "49": ["магадан", "колыма"],
  "50": ["подмосковье", "мо", "московская", "мособласть", "мос"],
  "51": ["мурманск"],
  "52": ["нижний новгород", "нижний", "нижегородская"],
  "53": ["великий новгород", "новгород"],
  "54": ["новосибирск", "новосиб", "нсо"],
  "55": ["омск"],
  "56": ["оренбург", "орск"],
  "57": ["орел", "орле", "орла"],
  "58": ["пенза"],
  "59": ["пермь"],
  "60": ["псков"],
  "61": ["ростов", "ростов на дону", "таганрог"],
  "62": ["рязань"],
  "63": ["самара", "тольятти", "сызрань"],
  "64": ["саратов"],
  "65": ["сахалин", "южно сахалинск"],
  "66": ["екатеринбург", "екб", "екат", "нижний тагил"],
  "67": ["смоленск"],
  "68": ["тамбов"],
  "69": ["тверь"],
  "70": ["томск"],
  "71": ["тула"],
  "72": ["тюмень", "тобольск"],
  "73": ["ульяновск"],
  "74": ["челябинск", "челяба", "магнитогорск"],
  "75": ["чита", "забайкалье"],
  "76": ["ярославль"],
  "77": ["москва", "мск"],
  "78": ["санкт петербург", "петербург", "питер", "спб"],
  "79": ["биробиджан", "еао"],
  "83": ["нарьян мар", "нао"],
  "86": ["хмао", "ханты мансийск", "сургут", "нижневартовск"],
  "87": ["чукотка", "анадырь"],
  "89": ["янао", "ямал", "салехард", "новый уренгой", "ноябрьск"],
  "90": ["запорожье", "мелитополь"],
  "91": ["симферополь", "керчь", "ялта"],
  "92": ["севастополь"],
  "93": ["днр", "донецк"],
  "94": ["лнр", "луганск"],
  "95": ["херсон"],
};

// Extra licence-plate codes (beyond the main one in regions.csv) that unambiguously name one region today.
const EXTRA_PLATES: Record<string, string[]> = {
  "02": ["102", "702"],
  "03": ["103"],
  "13": ["113"],
  "16": ["116", "716"],
  "21": ["121"],
  "22": ["122"],
  "23": ["93", "123", "193"],
  "24": ["124", "88"],
  "25": ["125"],
  "26": ["126"],
  "34": ["134"],
  "36": ["136"],
  "38": ["138"],
  "39": ["91"],
  "42": ["142"],
  "47": ["147"],
  "50": ["90", "150", "190", "750", "790"],
  "52": ["152"],
  "54": ["154"],
  "56": ["156"],
  "59": ["159"],
  "61": ["161", "761"],
  "63": ["163", "763"],
  "64": ["164"],
  "66": ["96", "196"],
  "73": ["173"],
  "74": ["174", "774"],
  "77": ["97", "99", "177", "197", "199", "777", "797", "799", "977"],
  "78": ["98", "178", "198"],
  "86": ["186"],
  "93": ["180"],
  "90": ["185"],
  "95": ["184"],
};

// Words that say what kind of place it is. They never name a region alone but break ties
// ("Республика Алтай" vs "Алтайский край").
const KIND_WORDS: Record<string, string> = {
  республика: "republic",
  республике: "republic",
  республики: "republic",
  республику: "republic",
  респ: "republic",
  край: "krai",
  крае: "krai",
  края: "krai",
  область: "oblast",
  области: "oblast",
  областью: "oblast",
  обл: "oblast",
  округ: "okrug",
  округе: "okrug",
  округа: "okrug",
  ао: "okrug",
  город: "city",
  городской: "city",
  городе: "city",
  города: "city",
  г: "city",
  гор: "city",
  район: "district",
  районе: "district",
  района: "district",
  р: "district",
  н: "district",
  рн: "district",
  мр: "district",
};

// Filler words in answers like "я из Самарской области", "живём в Смоленске", plus the generic parts of
// official names. Dropped before matching so they can neither match nor be "typo-corrected" into a name.
const STOP_WORDS = new Set(
  (
    "я мы вы он она они из в во на с со у к по до за от о об и или а но же ли не нет да это тут там здесь " +
    "сейчас уже мне меня нас наш наша наше наши мой моя мое мои сам сама сами само живу живем живет живут " +
    "жили живу проживаю проживаем проживает нахожусь находимся находится родом город городе г гор " +
    "область области обл край крае края республика республике республики республику респ округ округе " +
    "округа ао автономный автономная автономного автономной автономном народная народной народную " +
    "регион региона регионе код rus рф россия россии район района районе р н рн мр муниципальный " +
    "муниципальный городской округ поселок посёлок село деревня пгт станица городского поселения " +
    "поселение сельское городское ну вот так как где здравствуйте привет добрый день вечер утро " +
    "спасибо помогите помощь помочь нужна нужно надо хочу знаю подскажите пожалуйста"
  ).split(" "),
);

// Parts of official names that do not identify a region on their own ("Северная Осетия" is fine,
// "северная" alone is not).
const WEAK_NAME_WORDS = new Set(["северная", "эл"]);

// Light Russian stemmer: strips one inflection ending so "Самарской"/"Самарская" and
// "Смоленске"/"Смоленск" meet. Deliberately crude; both sides go through it.
const ENDINGS = [
  "иями",
  "ями",
  "ами",
  "ого",
  "его",
  "ому",
  "ему",
  "ыми",
  "ими",
  "ией",
  "иям",
  "иях",
  "ях",
  "ах",
  "ой",
  "ей",
  "ий",
  "ый",
  "ая",
  "яя",
  "ое",
  "ее",
  "ую",
  "юю",
  "ые",
  "ие",
  "ых",
  "их",
  "ым",
  "им",
  "ом",
  "ем",
  "ия",
  "ии",
  "ию",
  "ья",
  "ье",
  "ьи",
  "ью",
  "а",
  "я",
  "о",
  "е",
  "ы",
  "и",
  "у",
  "ю",
  "ь",
  "й",
];

export function stemWord(word: string): string {
  for (const ending of ENDINGS) {
    if (word.endsWith(ending) && word.length - ending.length >= 2) return word.slice(0, -ending.length);
  }
  return word;
}

interface Token {
  word: string;
  stem: string;
}

interface Key {
  stems: string[];
  /** The words before stemming. */
  words: string[];
  /**
   * A municipality of the routing data: typed letter for letter it beats a town that only shares its
   * stem («Октябрьск» → 63, not also «Октябрьский» of 02). Towns of the list alone stay a choice
   * («Дзержинск» / «Дзержинский»).
   */
  routing?: boolean;
  /** The key spells the whole distinctive name (or a full alias), not one word of a longer name. */
  full: boolean;
}

interface Candidate {
  id: string;
  keys: Key[];
  kinds: Set<string>;
}

type Scored = { id: string; score: number; quality: number };

function tokenize(input: string): { tokens: Token[]; kinds: Set<string> } {
  const kinds = new Set<string>();
  const tokens: Token[] = [];
  for (const word of foldText(input).split(" ")) {
    if (word === "") continue;
    const kind = KIND_WORDS[word];
    if (kind) kinds.add(kind);
    if (STOP_WORDS.has(word)) continue;
    tokens.push({ word, stem: stemWord(word) });
  }
  return { tokens, kinds };
}

function keyFrom(text: string, full: boolean): Key | null {
  const tokens = tokenize(text).tokens;
  return tokens.length > 0 ? { stems: tokens.map((t) => t.stem), words: tokens.map((t) => t.word), full } : null;
}

// Keys derived from an official name: the whole distinctive sequence, plus each distinctive word
// ("Кемеровская область - Кузбасс" → "кемеровск кузбасс", "кемеровск", "кузбасс").
function keysFromName(name: string): Key[] {
  const words = [...new Set(tokenize(name.replace(/\(|\)/g, " ")).tokens.map((t) => t.word))];
  if (words.length === 0) return [];
  const keys: Key[] = [{ stems: words.map(stemWord), words, full: true }];
  if (words.length > 1) {
    for (const w of words) {
      if (w.length >= 3 && !WEAK_NAME_WORDS.has(w)) keys.push({ stems: [stemWord(w)], words: [w], full: false });
    }
  }
  return keys;
}

function kindsOf(name: string): Set<string> {
  const kinds = new Set<string>();
  for (const word of foldText(name).split(" ")) {
    const kind = KIND_WORDS[word];
    if (kind) kinds.add(kind);
  }
  if (kinds.size === 0) kinds.add("city");
  return kinds;
}

// Optimal-string-alignment Damerau-Levenshtein distance, stopping early above `max`. The matcher
// calls it for every key of every candidate town, so its three rolling rows live in one reused
// buffer: arrays made per call were a fifth of the bot's allocations under load.
let rowsBuffer = new Int32Array(3 * 32);
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const width = b.length + 1;
  if (rowsBuffer.length < 3 * width) rowsBuffer = new Int32Array(6 * width);
  const d = rowsBuffer;
  // Offsets of the rows i - 2, i - 1 and i; row 0 is 0, 1, …, |b|.
  let before = 0;
  let previous = width;
  let current = 2 * width;
  for (let j = 0; j < width; j++) d[previous + j] = j;
  for (let i = 1; i <= a.length; i++) {
    d[current] = i;
    let best = i;
    for (let j = 1; j < width; j++) {
      // Char codes, not a[i]: a Cyrillic letter read as a string is a new string each time.
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(d[previous + j]! + 1, d[current + j - 1]! + 1, d[previous + j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1))
        v = Math.min(v, d[before + j - 2]! + 1);
      d[current + j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    const free = before;
    before = previous;
    previous = current;
    current = free;
  }
  return d[previous + b.length]!;
}

const EXACT = 4;
const PREFIX = 3;
const TYPO_1 = 2;
const TYPO_2 = 1;

// How well one typed word matches one key stem: the same stem, the beginning of it (≥ 3 letters:
// "Новосиб", "Тюмен"), or a small typo (distance ≤ 1 for words of ≥ 5 letters, ≤ 2 for ≥ 8).
function wordQuality(token: Token, stem: string): number {
  if (token.stem === stem || token.word === stem) return EXACT;
  if (token.stem.length >= 3 && stem.startsWith(token.stem)) return PREFIX;
  const letters = token.word.length;
  // Short stems ("нижн", "омск") are too close to everyday words to be typo-corrected.
  if (letters >= 5 && stem.length >= 5) {
    const distance = editDistance(token.stem, stem, letters >= 8 ? 2 : 1);
    if (distance === 1) return TYPO_1;
    if (distance === 2 && letters >= 8) return TYPO_2;
  }
  return 0;
}

// A loop, not `words.every(…)` inside keyQuality's loop: a closure over the loop's `start` made
// V8 allocate a context on every iteration — about 180 KB per region typed, for every town's key.
function typedAsIs(tokens: Token[], start: number, words: string[]): boolean {
  for (let k = 0; k < words.length; k++) if (tokens[start + k]!.word !== words[k]) return false;
  return true;
}

// A key matches where its stems appear as consecutive typed words; its quality is its weakest word.
// `literal`: the key's words were typed exactly as they are («Октябрьск» is not «Октябрьский»).
// Both in one number (quality × 2, plus 1 when literal): called per key of every candidate.
function keyQuality(tokens: Token[], key: Key): number {
  let best = 0;
  let literal = false;
  for (let start = 0; start + key.stems.length <= tokens.length; start++) {
    let quality = EXACT;
    for (let k = 0; k < key.stems.length && quality > 0; k++) {
      quality = Math.min(quality, wordQuality(tokens[start + k]!, key.stems[k]!));
    }
    const same = key.routing === true && quality === EXACT && typedAsIs(tokens, start, key.words);
    if (quality > best || (quality === best && same)) literal = same || (quality === best && literal);
    best = Math.max(best, quality);
  }
  return best * 2 + (literal ? 1 : 0);
}

function scoreCandidates(candidates: Candidate[], tokens: Token[], kinds: Set<string>): Scored[] {
  if (tokens.length === 0) return [];
  const typedKinds = [...kinds];
  const scored: Scored[] = [];
  for (let c = 0; c < candidates.length; c++) {
    const candidate = candidates[c]!;
    let bestScore = 0;
    let bestQuality = 0;
    let kindBonus = -1;
    for (let n = 0; n < candidate.keys.length; n++) {
      const key = candidate.keys[n]!;
      const rated = keyQuality(tokens, key);
      const quality = rated >> 1;
      if (quality === 0) continue;
      // Quality first, then longer keys ("Нижний Тагил" over "Нижний"), then whole names
      // ("Ненецкий" → НАО over ЯНАО), then a matching kind word ("республика", "край", "район").
      if (kindBonus < 0) {
        kindBonus = 0;
        for (const k of typedKinds) if (candidate.kinds.has(k)) kindBonus = 1;
      }
      const score = quality * 1000 + key.stems.length * 100 + (rated & 1 ? 20 : 0) + (key.full ? 10 : 0) + kindBonus;
      if (score > bestScore) {
        bestScore = score;
        bestQuality = quality;
      }
    }
    if (bestScore > 0) scored.push({ id: candidate.id, score: bestScore, quality: bestQuality });
  }
  return scored.sort((a, b) => b.score - a.score);
}

// Exact matches decide on the top score alone (ties are a real choice for the person); prefixes
// and typos are guesses, so every candidate of the best quality is offered.
function decide(scored: Scored[]): string[] {
  const top = scored[0];
  if (!top) return [];
  const pool =
    top.quality === EXACT
      ? scored.filter((s) => s.score === top.score)
      : scored.filter((s) => s.quality === top.quality);
  return pool.slice(0, MAX_CHOICES).map((s) => s.id);
}

function digitsOf(text: string): string[] {
  return text.split(/\D+/).filter((d) => d !== "");
}

export function createRegionMatcher(
  regions: RegionInput[],
  municipalities: MunicipalityInput[] = [],
): RegionMatcher {
  const known = new Set(regions.map((r) => r.code));

  const regionCandidates: Candidate[] = regions.map((r) => {
    const keys = keysFromName(r.name);
    for (const alias of REGION_ALIASES[r.code] ?? []) {
      const key = keyFrom(alias, true);
      if (key) keys.push(key);
    }
    return { id: r.code, keys, kinds: kindsOf(r.name) };
  });
  const candidateOf = new Map(regionCandidates.map((c) => [c.id, c]));
  // Towns and the routing data's municipalities name their region too ("Бердск", "Сызранский район").
  for (const [name, codes] of settlementRegions()) {
    const key = keyFrom(name.replace(/-/g, " "), true);
    for (const code of codes) if (key) candidateOf.get(code)?.keys.push(key);
  }
  for (const m of municipalities) {
    const candidate = candidateOf.get(m.regionCode);
    for (const text of [m.name, ...m.aliases]) {
      const key = keyFrom(text.replace(/-/g, " "), true);
      if (candidate && key) candidate.keys.push({ ...key, routing: true });
    }
  }

  // Number lookup order: main plate codes, region codes, extra plate codes, then the generic
  // three-digit forms (1xx/7xx) of a main plate code.
  const byNumber = new Map<string, string[]>();
  const addNumber = (num: string, code: string) => {
    const list = byNumber.get(num) ?? [];
    if (!list.includes(code)) list.push(code);
    byNumber.set(num, list);
  };
  for (const r of regions) for (const p of digitsOf(r.plateCodes)) addNumber(p.padStart(2, "0"), r.code);
  for (const r of regions) addNumber(r.code, r.code);
  for (const [code, plates] of Object.entries(EXTRA_PLATES)) {
    if (known.has(code)) for (const p of plates) addNumber(p, code);
  }
  for (const r of regions) {
    for (const p of digitsOf(r.plateCodes)) {
      const two = p.padStart(2, "0");
      if (two.length !== 2) continue;
      for (const prefix of ["1", "7"]) if (!byNumber.has(prefix + two)) addNumber(prefix + two, r.code);
    }
  }

  const municipalityCandidates = new Map<string, Candidate[]>();
  for (const m of municipalities) {
    const keys = keysFromName(m.name);
    for (const alias of [...m.aliases, m.key]) {
      const key = keyFrom(alias.replace(/[-_]/g, " "), true);
      if (key) keys.push(key);
    }
    const list = municipalityCandidates.get(m.regionCode) ?? [];
    list.push({ id: m.id, keys, kinds: kindsOf(m.name) });
    municipalityCandidates.set(m.regionCode, list);
  }

  function matchRegion(input: string): RegionMatch {
    const { tokens, kinds } = tokenize(String(input ?? ""));
    // Numeric answers ("63", "163", "регион 63") are codes; numbers inside longer text are not
    // ("из Самары, 3 детей" must not become region 03).
    if (tokens.length > 0 && tokens.every((t) => /^\d+$/.test(t.word))) {
      const codes: string[] = [];
      for (const t of tokens) {
        if (t.word.length > 3) continue;
        for (const code of byNumber.get(t.word.padStart(2, "0")) ?? [])
          if (!codes.includes(code)) codes.push(code);
      }
      return toRegionMatch(codes);
    }
    const textual = tokens.filter((t) => !/^\d+$/.test(t.word));
    return toRegionMatch(decide(scoreCandidates(regionCandidates, textual, kinds)));
  }

  function matchMunicipality(regionCode: string, input: string): MunicipalityMatch {
    const { tokens, kinds } = tokenize(String(input ?? ""));
    const ids = decide(scoreCandidates(municipalityCandidates.get(regionCode) ?? [], tokens, kinds));
    if (ids.length === 0) return { type: "none" };
    return ids.length === 1 ? { type: "one", id: ids[0]! } : { type: "many", ids };
  }

  return { matchRegion, matchMunicipality };
}

function toRegionMatch(codes: string[]): RegionMatch {
  if (codes.length === 0) return { type: "none" };
  return codes.length === 1
    ? { type: "one", code: codes[0]! }
    : { type: "many", codes: codes.slice(0, MAX_CHOICES) };
}
