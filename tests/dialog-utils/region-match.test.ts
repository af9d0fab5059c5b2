import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  createRegionMatcher,
  editDistance,
  type MunicipalityInput,
  type RegionInput,
  type RegionMatch,
  stemWord,
} from "../../src/dialog/region-match.ts";

function readRegions(): RegionInput[] {
  const csv = readFileSync(join(process.cwd(), "prisma", "regions.csv"), "utf8");
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  expect(header).toBe("code,name,timezone,plate_codes");
  return rows.map((row) => {
    const [code = "", name = "", , plateCodes = ""] = row.split(",");
    return { code, name, plateCodes };
  });
}

const SAMARA: MunicipalityInput[] = [
  { id: "m-syzran", regionCode: "63", key: "syzran", name: "Сызрань", aliases: ["г. Сызрань"] },
  { id: "m-oktyabrsk", regionCode: "63", key: "oktyabrsk", name: "Октябрьск", aliases: [] },
  { id: "m-syzran-d", regionCode: "63", key: "syzran-district", name: "Сызранский район", aliases: [] },
  {
    id: "m-shigony-d",
    regionCode: "63",
    key: "shigony-district",
    name: "Шигонский район",
    aliases: ["Шигоны"],
  },
];

const regions = readRegions();
const matcher = createRegionMatcher(regions, SAMARA);

const one = (code: string): RegionMatch => ({ type: "one", code });
const many = (...codes: string[]): RegionMatch => ({ type: "many", codes });
const none: RegionMatch = { type: "none" };

const REGION_TABLE: [string, RegionMatch][] = [
  // Official names, any case and grammatical form, extra words.
  ["Самарская область", one("63")],
  ["самарская", one("63")],
  ["я из Самарской области", one("63")],
  ["САМАРСКАЯ ОБЛ.", one("63")],
  ["живём в Смоленске", one("67")],
  ["Смоленская обл", one("67")],
  ["Тюменская область", one("72")],
  ["в Тюмени", one("72")],
  ["Новосибирская область", one("54")],
  ["Новосибирск", one("54")],
  ["Новосиб", one("54")],
  ["НСО", one("54")],
  ["ХМАО", one("86")],
  ["Югра", one("86")],
  ["ЯНАО", one("89")],
  ["Ненецкий автономный округ", one("83")],
  ["Ямало-Ненецкий", one("89")],
  ["Москва", one("77")],
  ["мск", one("77")],
  ["Московская область", one("50")],
  ["Подмосковье", one("50")],
  ["Питер", one("78")],
  ["СПб", one("78")],
  ["Санкт-Петербург", one("78")],
  ["Петербург", one("78")],
  ["Ленинградская область", one("47")],
  ["Екатеринбург", one("66")],
  ["Екб", one("66")],
  ["Нижний", one("52")],
  ["Нижний Новгород", one("52")],
  ["Великий Новгород", one("53")],
  ["Нижний Тагил", one("66")],
  ["Казань", one("16")],
  ["Татарстан", one("16")],
  ["Уфа", one("02")],
  ["в Уфе", one("02")],
  ["Башкирия", one("02")],
  ["Краснодар", one("23")],
  ["Кубань", one("23")],
  ["Крым", one("91")],
  ["Севастополь", one("92")],
  ["Владивосток", one("25")],
  ["Хабаровск", one("27")],
  ["Иркутск", one("38")],
  ["Красноярск", one("24")],
  ["Пермь", one("59")],
  ["Ростов-на-Дону", one("61")],
  ["Ростов", one("61")],
  ["Воронеж", one("36")],
  ["Челябинск", one("74")],
  ["Омск", one("55")],
  ["Томская область", one("70")],
  ["Кемерово", one("42")],
  ["Кузбасс", one("42")],
  ["Чечня", one("20")],
  ["Дагестан", one("05")],
  ["Якутия", one("14")],
  ["Республика Саха", one("14")],
  ["Сахалин", one("65")],
  ["Бурятия", one("03")],
  ["Карелия", one("10")],
  ["Коми", one("11")],
  ["Чувашия", one("21")],
  ["Удмуртия", one("18")],
  ["Северная Осетия", one("15")],
  ["Кабардино-Балкария", one("07")],
  ["Самара", one("63")],
  ["Тольятти", one("63")],
  ["Орёл", one("57")],
  ["Ёкатеринбург", one("66")],
  // Typos.
  ["Самрская", one("63")],
  ["Смаленск", one("67")],
  ["Новосибирск обл", one("54")],
  ["Новасибирская", one("54")],
  ["Тюменьская", one("72")],
  ["Челябинкая", one("74")],
  // Ambiguity.
  ["Алтай", many("04", "22")],
  ["Республика Алтай", one("04")],
  ["Алтайский край", one("22")],
  ["Горно-Алтайск", one("04")],
  ["Красно", many("23", "24")],
  // Codes.
  ["63", one("63")],
  ["163", one("63")],
  ["763", one("63")],
  ["регион 63", one("63")],
  ["77", one("77")],
  ["199", one("77")],
  ["1", one("01")],
  ["95", many("20", "95")],
  ["82", one("91")],
  // Nothing.
  ["область", none],
  ["край", none],
  ["республика", none],
  ["", none],
  ["   ", none],
  ["не знаю", none],
  ["мне нужна помощь", none],
  ["000", none],
  ["🙂", none],
];

describe("matchRegion", () => {
  it.each(REGION_TABLE)("%s", (input, expected) => {
    expect(matcher.matchRegion(input)).toEqual(expected);
  });

  it("does not take a number inside a sentence as a code", () => {
    expect(matcher.matchRegion("из Самары, у меня 3 детей")).toEqual(one("63"));
  });

  it("offers at most 8 choices", () => {
    const result = matcher.matchRegion("ка");
    if (result.type === "many") expect(result.codes.length).toBeLessThanOrEqual(8);
  });

  it("ignores aliases of regions that are not in the list", () => {
    const small = createRegionMatcher(regions.filter((r) => r.code !== "22"));
    expect(small.matchRegion("Алтай")).toEqual(one("04"));
    expect(small.matchRegion("Барнаул")).toEqual(none);
  });
});

describe("matchMunicipality (Samara)", () => {
  const TABLE: [string, ReturnType<typeof matcher.matchMunicipality>][] = [
    ["Сызрань", { type: "one", id: "m-syzran" }],
    ["г. Сызрань", { type: "one", id: "m-syzran" }],
    ["в Сызрани", { type: "one", id: "m-syzran" }],
    ["сызранский", { type: "one", id: "m-syzran-d" }],
    ["Сызранский район", { type: "one", id: "m-syzran-d" }],
    ["Октябрьск", { type: "one", id: "m-oktyabrsk" }],
    ["октябрский", { type: "one", id: "m-oktyabrsk" }],
    ["Шигонский р-н", { type: "one", id: "m-shigony-d" }],
    ["Шигоны", { type: "one", id: "m-shigony-d" }],
    ["Сызр", { type: "many", ids: ["m-syzran", "m-syzran-d"] }],
    ["район", { type: "none" }],
    ["Тольятти", { type: "none" }],
  ];
  it.each(TABLE)("%s", (input, expected) => {
    expect(matcher.matchMunicipality("63", input)).toEqual(expected);
  });

  it("knows nothing in a region without municipalities", () => {
    expect(matcher.matchMunicipality("67", "Сызрань")).toEqual({ type: "none" });
  });
});

describe("helpers", () => {
  it("stems case forms to one stem", () => {
    expect(stemWord("самарской")).toBe(stemWord("самарская"));
    expect(stemWord("смоленске")).toBe("смоленск");
  });
  it("counts a transposition as one edit", () => {
    expect(editDistance("самарск", "смаарск", 1)).toBe(1);
    expect(editDistance("абвгд", "вгдеж", 1)).toBe(2);
  });
});
