// Red-flag screening of every free text (design.md §3). Prefer false positives: a hit only shows the
// emergency numbers first and asks "are you safe right now?", a miss can cost a life.
// Results carry lexicon ids, never the person's words, so they are safe to log and store.
//
// Known, accepted false positives: "пропала зарплата / пропал аппетит" (missing), "покончить с
// долгами" (suicide), "бью тревогу" (beat), "игрушечный пистолет" (weapon), "лишат прав" about a
// driving licence (removal), "хочу забрать ребёнка из детдома" (removal).
import { foldText } from "./text-input.ts";

export type RedFlagLevel = "P0" | "P1";

export type RedFlagResult = { type: "none" } | { type: "hit"; level: RedFlagLevel; matches: string[] };

interface LexiconEntry {
  id: string;
  level: RedFlagLevel;
  patterns: RegExp[];
}

// Patterns run on folded text (lower case, ё → е, single spaces, no punctuation). `W` is any word,
// `B`/`E` are word boundaries that work for Cyrillic (JS \b is ASCII-only).
const W = "\\p{L}+";
const W0 = "\\p{L}*";
const B = "(?<![\\p{L}\\p{N}])";
const E = "(?![\\p{L}\\p{N}])";
const gap = (max: number) => `(?: ${W}){0,${max}} `;
const re = (source: string) => new RegExp(`${B}(?:${source})${E}`, "u");

const CHILD = `(?:ребен${W}|ребят${W}|дети|детей|детям|детьми|детях|детки|деток|деткам|детишк${W}|доч${W}|дочь|сын|сын${W}|малыш${W}|малыш|младен${W}|новорожден${W}|девоч${W}|мальчик${W}|мальчик|подрост${W})`;
// "Забрать ребёнка из садика" is an everyday errand, not a removal.
const ERRAND = `(?! из (?:сад${W}|сад|детсад${W}|детсад|школ${W}|секци${W}|кружк${W}|бассейн${W}|бассейн|лагер${W}|больниц${W}))`;
const ALONE = "(?:один|одна|одни|одно|одного|одну|одних|одной)";

const LEXICON: LexiconEntry[] = [
  {
    id: "kill",
    level: "P0",
    patterns: [
      re(`уб(?:ью|ьет|ьешь|ьют|ьем|ьете|ить|ил|ила|или|ило|ива${W}|ийств${W}|ийц${W}|ьюсь)`),
      re(`приб(?:ью|ьет|ьют|ьешь)`),
      re(`(?:зарежу|зарежет|зарежут|зарезать|задушу|задушит|задушат|задушить|придушу|придушит)`),
      re(`(?:kill${W}|kill|murder${W}|murder)`),
    ],
  },
  {
    id: "beat",
    level: "P0",
    patterns: [
      re(`(?:бьет|бьют|бьешь|бью|бил|била|били|избива${W}|изби${W}|избил|побои|побоев|побоями)`),
      re(`(?:ударил|ударила|ударили|ударяет|ударяют|колотит|лупит|лупят)`),
      re(`(?:beat|beats|beaten|beating|hits me|hit me|hitting)`),
    ],
  },
  {
    id: "knife",
    level: "P0",
    // Only the forms of "нож": "ножки"/"ножницы" do not hit.
    patterns: [
      re(`(?:нож|ножа|ножу|ножом|ноже|ножи|ножей|ножам|ножами|ножах|ножик${W}|ножик)`),
      re(`(?:knife|knives)`),
    ],
  },
  {
    id: "weapon",
    level: "P0",
    patterns: [
      re(
        `(?:топор|топора|топором|топоре|ружье|ружья|ружьем|пистолет|пистолета|пистолетом|оружие|оружием|оружия)`,
      ),
      re(`(?:gun|guns|weapon|weapons)`),
    ],
  },
  {
    id: "threat",
    level: "P0",
    // "Угрожает забрать ребёнка / подать в суд" is a removal or legal worry (P1/P2), not danger now.
    patterns: [
      re(`(?:угрожа${W}(?! (?:забрать|отобрать|лишить|подать|судом|опекой|разводом))|threaten${W}|threaten)`),
    ],
  },
  {
    id: "sexual_abuse",
    level: "P0",
    patterns: [
      re(`(?:изнасил${W}|насилу${W}|домога${W}|растлен${W}|растлил${W}|педофил${W}|rape|raped|molest${W})`),
    ],
  },
  {
    id: "suicide",
    level: "P0",
    patterns: [
      re(`(?:суицид${W}|суицид|самоубий${W}|suicid${W})`),
      re(`поконч${W}`),
      re(
        `(?:повес(?:ился|илась|ились|иться|ится|итесь|ишься|ятся|ься)|повешусь|повешается|вешаться|вешается)`,
      ),
      re(`(?:уйти|уйду|уйдет) из жизни`),
      re(`свести сч[её]ты${gap(1)}жизн${W}`),
      re(`(?:kill (?:my|him|her)self|end it all|end my life)`),
    ],
  },
  {
    id: "want_to_die",
    level: "P0",
    patterns: [
      re(`не (?:хочу|хочется|хочет|хотим|хочешь|хотят)${gap(2)}жить`),
      re(`жить${gap(2)}не (?:хочу|хочется|хочет|хотим|хотят)`),
      re(`(?:незачем|нет смысла|не вижу смысла|не за чем) жить`),
      re(`(?:хочу|хочется|лучше бы|лучше) умереть`),
      re(`умереть (?:хочу|хочется)`),
      re(`(?:want to die|wanna die|dont want to live|don t want to live|do not want to live)`),
    ],
  },
  {
    id: "self_harm",
    level: "P0",
    patterns: [
      re(`(?:вскр${W}|вскрыть|порез${W}|порезать|резать|режу)${gap(1)}(?:вены|вен|себя|себе)`),
      re(`(?:наглота${W}|выпрыгн${W}|прыгну|прыгнуть|спрыгну|спрыгнуть|сброшусь|сброситься)`),
      re(`(?:self harm|cut myself|cutting myself)`),
    ],
  },
  {
    id: "fear_of_harm",
    level: "P0",
    patterns: [
      re(`боюсь${gap(4)}(?:навредить|ударить|причинить|сорвусь|сорваться)`),
      re(`(?:сделать|сделаю|сделает)${gap(2)}с (?:собой|${CHILD})`),
      re(`причин${W}${gap(1)}вред`),
      re(`(?:afraid i (?:will|ll|might) (?:hurt|harm)|hurt my (?:child|baby|kids?))`),
    ],
  },
  {
    id: "child_alone",
    level: "P0",
    patterns: [
      // "Ребёнок один дома", not "у меня один ребёнок" / "одна воспитываю сына".
      re(`${CHILD}${gap(2)}${ALONE}${gap(1)}(?:дома|в квартире)`),
      re(`без присмотра`),
      re(`(?:оставил${W}|оставил|оставляет|оставляют)${gap(2)}${CHILD}${gap(1)}${ALONE}`),
      re(`(?:бросил${W}|бросил|бросает|бросают)${gap(1)}${CHILD}`),
      re(`(?:home alone|left alone|alone at home)`),
    ],
  },
  {
    id: "missing",
    level: "P0",
    patterns: [
      re(
        `(?:пропал|пропала|пропали|пропало|пропадает|пропадают|пропавш${W}|исчез|исчезла|исчезли|потерял(?:ся|ась|ись))`,
      ),
      re(`не (?:вернул${W}|пришел|пришла|пришли|ночевал${W}|ночевала)${gap(1)}(?:домой|дома)`),
      re(`(?:сбежал${W}|сбежал|убежал${W}|убежал)${gap(1)}из дома`),
      // A husband leaving home is a conflict; a child leaving home is a missing child.
      re(`${CHILD}${gap(2)}(?:ушел|ушла|ушли|уходит|уходят)${gap(1)}из дома`),
      re(`(?:не можем|не могу|не могут) найти`),
      re(`(?:missing|disappeared|ran away|run away|runaway)`),
    ],
  },
  {
    id: "evicted",
    level: "P0",
    patterns: [
      re(
        `(?:выгн${W}|выгоня${W}|выставил${W}|выставил|выселил${W}|выселил)${gap(3)}(?:на улиц${W}|из дома|из дому|из квартиры|за дверь)`,
      ),
      re(`(?:живем|живу|ночуем|ночую|остались|осталась|остался|оказались|оказалась) на улице`),
      re(`(?:kicked out|thrown out|evicted)`),
    ],
  },
  {
    id: "no_shelter",
    level: "P0",
    patterns: [
      re(`(?:негде|некуда|нет где)${gap(1)}(?:ночевать|переночевать|жить|спать|идти|пойти|деться)`),
      re(`(?:ночевать|переночевать|жить|спать|идти|пойти|деться) (?:негде|некуда)`),
      re(`(?:нет|без) крыши над головой`),
      re(`(?:homeless|nowhere to (?:sleep|stay|go|live))`),
    ],
  },
  {
    id: "no_food",
    level: "P0",
    patterns: [
      re(`нечем${gap(1)}(?:кормить|накормить|покормить)`),
      re(`(?:кормить|накормить|покормить)${gap(1)}нечем`),
      re(`нечего${gap(1)}(?:есть|кушать|поесть|покушать|жрать)`),
      re(`(?:голод${W0}|голодн${W})`),
      re(`нет${gap(1)}(?:еды|продуктов)`),
      re(`(?:no food|nothing to eat|starving)`),
    ],
  },
  {
    id: "relinquish",
    level: "P1",
    patterns: [
      re(`отка${W}${gap(2)}от${gap(1)}${CHILD}`),
      re(`(?:написать|напишу|написала|пишу) отказ`),
      re(`отказн${W}`),
      re(`(?:оставить|оставлю|оставлять|оставим)${gap(2)}в роддоме`),
      re(
        `(?:отдать|отдам|отдадим|сдать|сдам|сдадим)${gap(3)}(?:в детдом|в детский дом|в приют|в интернат|в дом ребенка)`,
      ),
      re(`(?:give up|giving up) (?:my|the|our) (?:baby|child|kid)|put${gap(2)}up for adoption`),
    ],
  },
  {
    id: "removal",
    level: "P1",
    patterns: [
      re(
        `(?:заберут|забрать|заберет|забирают|забрали|изъять|изымут|изымает|изымают|изъяли|отберут|отберет|отобрать|отбирают|отобрали)${gap(2)}${CHILD}${ERRAND}`,
      ),
      re(
        `${CHILD}${gap(2)}(?:заберут|забрать|заберет|забирают|забрали|изъять|изымут|изъяли|отберут|отобрать|отобрали)`,
      ),
      re(`опек${W}${gap(3)}(?:забер${W}|отбер${W}|изым${W}|изъя${W}|забир${W}|отбир${W}|забрать|отобрать)`),
      re(`(?:изъяти${W}|лиш${W}${gap(1)}(?:родительск${W} )?прав${W0}|лишение прав)`),
      re(`take${gap(2)}(?:kid|kids|child|children|baby) away|child protective services`),
    ],
  },
];

/** Screens one free text. Matches are lexicon ids in lexicon order; level is the highest hit. */
export function screenRedFlags(text: string): RedFlagResult {
  const folded = foldText(text);
  if (folded === "") return { type: "none" };
  const matches = LEXICON.filter((entry) => entry.patterns.some((p) => p.test(folded)));
  if (matches.length === 0) return { type: "none" };
  const level: RedFlagLevel = matches.some((m) => m.level === "P0") ? "P0" : "P1";
  return { type: "hit", level, matches: matches.map((m) => m.id) };
}

/** The ids the lexicon can report (for tests and for documentation of stored values). */
export const RED_FLAG_IDS: readonly string[] = LEXICON.map((e) => e.id);
