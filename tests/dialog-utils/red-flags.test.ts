import { describe, expect, it } from "vitest";
import { RED_FLAG_IDS, screenRedFlags } from "../../src/dialog/red-flags.ts";

// [text, expected level or "none", ids that must be among the matches]
const TABLE: [string, "P0" | "P1" | "none", string[]][] = [
  // Threats to kill and violence.
  ["он сказал что убьёт меня", "P0", ["kill"]],
  ["УБЬЮ тебя!!!", "P0", ["kill"]],
  ["муж грозится убить детей", "P0", ["kill"]],
  ["он убивает нас", "P0", ["kill"]],
  ["муж бьёт меня и детей", "P0", ["violence_now"]],
  ["отчим избивает сына", "P0", ["violence_now"]],
  // A first act of violence that is over is P1 (design.md §3, corrected).
  ["вчера избил", "P1", ["violence_past"]],
  ["пришёл пьяный с ножом", "P0", ["weapon"]],
  ["схватил  нож ,  кричит", "P0", ["weapon"]],
  ["угрожает мне", "P1", ["threats"]],
  ["угрожает расправой", "P0", ["threat_to_life"]],
  // Suicide and wish to die.
  ["не хочу жить", "P0", ["want_to_die"]],
  ["Жить не хочу больше", "P0", ["want_to_die"]],
  ["мне не хочется жить", "P0", ["want_to_die"]],
  ["я не хочу больше жить", "P0", ["want_to_die"]],
  ["думаю покончить с собой", "P0", ["suicide"]],
  ["покончу с собой", "P0", ["suicide"]],
  ["мысли о суициде", "P0", ["suicide"]],
  ["хочу повеситься", "P0", ["suicide"]],
  ["повешусь", "P0", ["suicide"]],
  ["дочь говорит о самоубийстве", "P0", ["suicide"]],
  ["лучше умереть", "P0", ["want_to_die"]],
  ["боюсь навредить ребёнку", "P0", ["fear_of_harm"]],
  // Children alone or missing.
  ["ребёнок один дома", "P0", ["child_alone"]],
  ["дети одни дома уже второй день", "P0", ["child_alone"]],
  ["сын сейчас один дома", "P0", ["child_alone"]],
  ["малыш без присмотра", "P0", ["child_alone"]],
  ["сын пропал", "P0", ["missing"]],
  ["дочь пропала вчера", "P0", ["missing"]],
  ["сын не вернулся домой", "P0", ["missing"]],
  ["подросток сбежал из дома", "P0", ["missing"]],
  // Housing and food.
  ["нас выгнали на улицу", "P0", ["no_shelter"]],
  ["муж выгнал из дома с детьми", "P0", ["no_shelter"]],
  ["негде ночевать", "P0", ["no_shelter"]],
  ["ночевать негде сегодня", "P0", ["no_shelter"]],
  // Children without food are P1, not danger now (design.md §3, corrected).
  ["нечем кормить детей", "P1", ["no_food"]],
  ["Нечем кормить", "P1", ["no_food"]],
  ["дети голодают", "P1", ["no_food"]],
  // P1.
  ["хочу отказаться от ребёнка", "P1", ["relinquish"]],
  ["откажусь от ребенка в роддоме", "P1", ["relinquish"]],
  ["думаю написать отказ", "P1", ["relinquish"]],
  ["боюсь, что заберут ребёнка", "P1", ["removal"]],
  ["хотят забрать детей", "P1", ["removal"]],
  ["опека заберёт", "P1", ["removal"]],
  ["грозят лишить родительских прав", "P1", ["removal"]],
  ["бывший муж угрожает забрать ребёнка", "P1", ["removal"]],
  ["свекровь говорит, что опека отберёт детей", "P1", ["removal"]],
  ["хочу отдать сына в интернат", "P1", ["relinquish"]],
  ["Мой бывший прибьёт меня", "P0", ["kill"]],
  ["режу себя", "P0", ["self_harm"]],
  ["Дочь не ночевала дома", "P0", ["missing"]],
  ["ребёнок — один, дома.", "P0", ["child_alone"]],
  ["Муж пьёт, денег нет, дети голодные", "P1", ["no_food"]],
  // P0 wins over P1.
  ["опека заберёт детей, не хочу жить", "P0", ["want_to_die", "removal"]],
  // English.
  ["he will kill me", "P0", ["kill"]],
  ["I want to die", "P0", ["want_to_die"]],
  ["thinking about suicide", "P0", ["suicide"]],
  ["he has a knife", "P0", ["weapon"]],
  ["my husband beats me", "P0", ["violence_now"]],
  ["нас выселяют через неделю", "P1", ["eviction_soon"]],
  ["мы беременны, думаем об отказе", "P1", ["relinquish"]],
  ["отец пьяный сидит с детьми", "P1", ["intoxicated_care"]],
  // Probes that were missed before the lexicon became data (issue 11).
  ["он её зарезал", "P0", ["kill"]],
  ["он меня душит", "P0", ["strangling"]],
  ["хочу отравиться", "P0", ["suicide"]],
  ["выпью все таблетки", "P0", ["suicide"]],
  ["дочь режет руки", "P0", ["self_harm"]],
  ["вот синяки, он опять бьёт ребёнка", "P0", ["violence_now"]],
  ["малыш не дышит", "P0", ["not_breathing"]],
  ["Да", "none", []],
  ["пропала зарплата", "none", []],
  // Not red flags.
  ["у меня один ребёнок", "none", []],
  ["одна воспитываю сына", "none", []],
  ["нужна помощь с документами", "none", []],
  ["купила ножницы и ножки для стола", "none", []],
  ["не хочу идти в школу", "none", []],
  ["убираю квартиру", "none", []],
  ["надо забрать ребёнка из садика", "none", []],
  ["меня выгнали с работы", "none", []],
  ["живу с мамой, всё хорошо", "none", []],
  ["хочу жить отдельно", "none", []],
  ["муж ушёл из дома", "none", []],
  ["нужна консультация психолога", "none", []],
  ["сломал ребро", "none", []],
  ["Самарская область", "none", []],
  ["", "none", []],
  ["🙂🙂", "none", []],
  ["hello, I need advice", "none", []],
  ["Я одна с тремя детьми", "none", []],
  ["Развожусь с мужем, нужна помощь с алиментами", "none", []],
  ["Хочу оформить пособие на третьего ребенка", "none", []],
  ["забрала ребенка из школы", "none", []],
  ["хочу уйти от мужа", "none", []],
];

describe("screenRedFlags", () => {
  it.each(TABLE)("%s → %s", (text, level, ids) => {
    const result = screenRedFlags(text);
    if (level === "none") {
      expect(result).toEqual({ type: "none" });
      return;
    }
    expect(result.type).toBe("hit");
    if (result.type !== "hit") return;
    expect(result.level).toBe(level);
    for (const id of ids) expect(result.matches).toContain(id);
  });

  it("reports lexicon ids only, never the person's words", () => {
    const result = screenRedFlags("Иван Петров сказал: убью, и взял нож");
    expect(result.type).toBe("hit");
    if (result.type === "hit") {
      for (const m of result.matches) expect(RED_FLAG_IDS).toContain(m);
      expect(result.matches.join(" ")).not.toMatch(/Иван|Петров/);
    }
  });

  it("has at least 40 table rows", () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });
});
