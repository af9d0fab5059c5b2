import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { compileLexicon, DEFAULT_LEXICON_FILE, loadLexicon } from "../../src/screening/lexicon.ts";
import { describeRedFlag, RED_FLAG_IDS, screenRedFlags } from "../../src/screening/red-flags.ts";

const shipped = loadLexicon();
if (shipped.type !== "ok")
  throw new Error(
    `shipped lexicon invalid: ${shipped.type === "invalid" ? shipped.problems.join("; ") : ""}`,
  );
const lexicon = shipped.lexicon;

// Every entry's own examples are tests: a clinician's edit that breaks one fails here, naming it.
describe("lexicon examples", () => {
  const cases = lexicon.entries.flatMap((e) => [
    ...e.examples.match.map((text) => [e.id, "matches", text] as const),
    ...e.examples.noMatch.map((text) => [e.id, "does not match", text] as const),
  ]);
  it.each(cases)("%s %s «%s»", (id, how, text) => {
    const result = screenRedFlags(text);
    const ids = result.type === "hit" ? result.matches : [];
    if (how === "matches") expect(ids).toContain(id);
    else expect(ids).not.toContain(id);
  });
});

// Independent of the file: deleting or emptying one of these entries fails here even though its own
// examples would be deleted with it.
const REQUIRED: [string, "P0" | "P1", string][] = [
  ["kill", "P0", "он сказал что убьёт меня"],
  ["strangling", "P0", "он меня душит"],
  ["violence_now", "P0", "муж бьёт меня и детей"],
  ["weapon", "P0", "приставил нож к горлу"],
  ["sexual_abuse", "P0", "отчим трогает дочь за интимные места"],
  ["suicide", "P0", "выпью все таблетки"],
  ["want_to_die", "P0", "не хочу жить"],
  ["self_harm", "P0", "дочь режет руки"],
  ["fear_of_harm", "P0", "боюсь навредить ребёнку"],
  ["child_alone", "P0", "ребёнок один дома"],
  ["missing", "P0", "сын пропал"],
  ["not_breathing", "P0", "малыш не дышит"],
  ["no_shelter", "P0", "нас выгнали на улицу"],
  ["threat_to_life", "P0", "муж угрожает расправой"],
  ["violence_past", "P1", "муж вчера ударил меня впервые"],
  ["threats", "P1", "бывший муж угрожает мне"],
  ["no_food", "P1", "дети голодные"],
  ["eviction_soon", "P1", "нас выселяют через неделю"],
  ["relinquish", "P1", "мы беременны, думаем об отказе"],
  ["removal", "P1", "опека грозит забрать детей"],
  ["intoxicated_care", "P1", "отец пьяный сидит с детьми"],
];

describe("required entries", () => {
  it.each(REQUIRED)("%s (%s) is in the lexicon and finds «%s»", (id, level, text) => {
    expect(RED_FLAG_IDS).toContain(id);
    expect(lexicon.entries.find((e) => e.id === id)?.level).toBe(level);
    const result = screenRedFlags(text);
    expect(result).toMatchObject({ type: "hit", level });
    if (result.type === "hit") expect(result.matches).toContain(id);
  });

  it("has an operator-facing reason in both languages for every id", () => {
    for (const id of RED_FLAG_IDS) {
      expect(describeRedFlag(id, "ru")).toMatch(/[а-яё]/i);
      expect(describeRedFlag(id, "en")).toMatch(/[a-z]/i);
      expect(describeRedFlag(id, "ru")).not.toBe(describeRedFlag(id, "en"));
    }
    expect(describeRedFlag("weapon", "ru")).toContain("нож");
    expect(describeRedFlag("no_such_id", "en")).toBe("no_such_id");
  });
});

describe("the issue's probes", () => {
  it.each([
    ["он её зарезал", "P0"],
    ["он меня душит", "P0"],
    ["хочу отравиться", "P0"],
    ["выпью все таблетки", "P0"],
    ["дочь режет руки", "P0"],
    ["вот синяки, он опять бьёт ребёнка", "P0"],
    ["мы беременны, думаем об отказе", "P1"],
    ["нас выселяют через неделю", "P1"],
    ["дети голодные", "P1"],
    ["нечем кормить детей", "P1"],
    ["выгнали на улицу, ночевать негде", "P0"],
    ["боюсь, что заберут ребёнка", "P1"],
  ])("«%s» → %s", (text, level) => {
    expect(screenRedFlags(text)).toMatchObject({ type: "hit", level });
  });

  it.each([
    "Да",
    "да",
    "Нет",
    "",
    "   ",
    "🙂",
    "наркотики",
    "алименты",
    "развод",
    "опека",
    "насилие",
    "Опека, алименты и развод",
  ])("«%s» raises nothing (a topic word alone is not danger)", (text) => {
    expect(screenRedFlags(text)).toEqual({ type: "none" });
  });
});

describe("Russian as people type it", () => {
  it.each([
    ["ё/е and case", "МУЖ БЬЕТ МЕНЯ"],
    ["a stretched ё", "помогииите он бьёооот"],
    ["repeated letters", "он меня бьеееет"],
    ["ъ for ь", "папа бъет маму"],
    ["a missing ь", "убю тебя сказал"],
    ["an unstressed-vowel slip", "он угражает расправой"],
    ["a one-letter typo in a long word", "мысли о самоубийсве"],
    ["emoji and no punctuation", "😭😭он меня душит😭 помогите"],
    ["Latin lookalikes inside a Russian word", "он меня бьёт нoжoм угрожает"],
    ["a gap of several words", "я больше совсем не хочу так жить"],
    ["words split by a line break are still one message", "выпью\nвсе таблетки"],
  ])("%s: «%s» → P0", (_what, text) => {
    expect(screenRedFlags(text)).toMatchObject({ type: "hit", level: "P0" });
  });

  it("does not join words across a sentence end", () => {
    expect(screenRedFlags("Не хочу. Жить с ним не буду, разводимся")).toEqual({ type: "none" });
    expect(screenRedFlags("не хочу жить")).toMatchObject({ level: "P0" });
  });

  it("ignores a danger word right after «не»", () => {
    expect(screenRedFlags("муж меня не бьёт, просто кричит")).toEqual({ type: "none" });
    expect(screenRedFlags("муж меня бьёт, просто кричит")).toMatchObject({ level: "P0" });
    // «не убивай» is a plea during an attack: that entry is not negatable.
    expect(screenRedFlags("не убивай меня")).toMatchObject({ level: "P0" });
  });

  it("reports lexicon ids only, never the person's words, in file order", () => {
    const result = screenRedFlags("Иван Петров сказал: убью, и схватил нож");
    expect(result).toEqual({ type: "hit", level: "P0", matches: ["kill", "weapon"] });
  });

  it("a P0 hit wins over a P1 hit in the same message", () => {
    expect(screenRedFlags("опека заберёт детей, не хочу жить")).toEqual({
      type: "hit",
      level: "P0",
      matches: ["want_to_die", "removal"],
    });
  });
});

// ---- loading: a broken lexicon stops the service with the entry named ----

const dir = mkdtempSync(join(tmpdir(), "opora-lexicon-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function shippedData(): { entries: Record<string, unknown>[] } & Record<string, unknown> {
  return parse(readFileSync(DEFAULT_LEXICON_FILE, "utf8"));
}

function writeLexicon(name: string, data: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof data === "string" ? data : stringify(data));
  return file;
}

describe("loadLexicon", () => {
  it("loads the shipped file with every entry", () => {
    expect(lexicon.entries.length).toBeGreaterThanOrEqual(20);
    expect(lexicon.entries.map((e) => e.id)).toEqual(RED_FLAG_IDS);
  });

  it("refuses an unknown level, naming the entry", () => {
    const data = shippedData();
    data.entries[3]!.level = "P5";
    const result = loadLexicon(writeLexicon("level.yaml", data));
    expect(result.type).toBe("invalid");
    if (result.type === "invalid") {
      expect(result.problems.join("\n")).toContain(`entry "${data.entries[3]!.id}" (level)`);
      expect(result.problems.join("\n")).toContain("P0");
    }
  });

  it("refuses an empty pattern, naming the entry", () => {
    const data = shippedData();
    const entry = data.entries.find((e) => e.id === "weapon")!;
    (entry.patterns as string[]).push("   ");
    const result = loadLexicon(writeLexicon("empty.yaml", data));
    expect(result).toMatchObject({ type: "invalid" });
    if (result.type === "invalid")
      expect(result.problems.join("\n")).toMatch(/entry "weapon" \(patterns\.\d+\): an empty pattern/);
  });

  it("refuses a pattern that is only a gap", () => {
    const data = shippedData();
    (data.entries.find((e) => e.id === "weapon")!.patterns as string[]).push("…");
    const result = loadLexicon(writeLexicon("gap.yaml", data));
    expect(result.type === "invalid" && result.problems.join("\n")).toContain('entry "weapon" (pattern "…")');
  });

  it("refuses a duplicate id, naming it", () => {
    const data = shippedData();
    data.entries.push({ ...data.entries[0]! });
    const result = loadLexicon(writeLexicon("dup.yaml", data));
    expect(result.type === "invalid" && result.problems).toContain(
      `entry "${data.entries[0]!.id}": the id is used twice`,
    );
  });

  it("refuses an unknown group, naming the entry", () => {
    const data = shippedData();
    (data.entries.find((e) => e.id === "missing")!.patterns as string[]).push("{детишки} … пропал");
    const result = loadLexicon(writeLexicon("group.yaml", data));
    expect(result.type === "invalid" && result.problems.join("\n")).toContain(
      'entry "missing" (pattern "{детишки} … пропал"): unknown group {детишки}',
    );
  });

  it("refuses a lexicon whose own examples fail (a pattern was deleted or broken)", () => {
    const data = shippedData();
    const weapon = data.entries.find((e) => e.id === "weapon")!;
    weapon.patterns = ["стреляет/стрелял/выстрелил"];
    (data.entries.find((e) => e.id === "kill")!.examples as { match: string[] }).match.push(
      "просто текст без угроз",
    );
    const result = loadLexicon(writeLexicon("examples.yaml", data));
    const text = result.type === "invalid" ? result.problems.join("\n") : "";
    expect(text).toContain('entry "weapon": example does not match: «приставил нож к горлу»');
    expect(text).toContain('entry "kill": example does not match: «просто текст без угроз»');
  });

  it("refuses a file that is not YAML or does not exist, without crashing", () => {
    expect(loadLexicon(writeLexicon("broken.yaml", "entries: [\n  - id: x\n"))).toMatchObject({
      type: "invalid",
    });
    expect(loadLexicon(join(dir, "absent.yaml"))).toMatchObject({ type: "invalid" });
  });

  it("a lexicon of its own works on its own: a clinician can add an entry", () => {
    const result = compileLexicon({
      version: 1,
      groups: { животные: ["собака", "собаку"] },
      entries: [
        {
          id: "dog_bite",
          level: "P1",
          why: { ru: "Укус собаки", en: "Dog bite" },
          patterns: ["{животные} … укусила/кусает"],
          examples: { match: ["соседская СОБАКА опять укусила сына"], no_match: ["купили собаку"] },
        },
      ],
    });
    expect(result.type).toBe("ok");
    if (result.type === "ok") {
      expect(result.lexicon.screen("собака укусила")).toEqual({
        type: "hit",
        level: "P1",
        matches: ["dog_bite"],
      });
      expect(result.lexicon.screen("муж бьёт")).toEqual({ type: "none" });
    }
  });
});
