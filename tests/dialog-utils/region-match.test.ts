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
  // Ростов Великий (76) is a town too: the person chooses.
  ["Ростов", many("61", "76")],
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

// Towns from the shipped settlements list (issue 12): regional capitals and second cities.
const TOWNS: [string, string][] = [
  ["Бердск", "54"], ["в Бердске", "54"], ["г. Бердск", "54"], ["город Бердск", "54"], ["Бердкс", "54"],
  ["Сызранский район", "63"], ["в Сызрани", "63"], ["Шигонский район", "63"],
  ["Майкоп", "01"], ["Стерлитамак", "02"], ["Салават", "02"], ["Улан-Удэ", "03"], ["Горно-Алтайск", "04"],
  ["Хасавюрт", "05"], ["Назрань", "06"], ["Нальчик", "07"], ["Элиста", "08"], ["Черкесск", "09"],
  ["Кондопога", "10"], ["Воркута", "11"], ["Рузаевка", "13"], ["Нерюнгри", "14"],
  ["Моздок", "15"], ["Набережные Челны", "16"], ["Альметьевск", "16"], ["Кызыл", "17"], ["Сарапул", "18"],
  ["Черногорск", "19"], ["Гудермес", "20"], ["Новочебоксарск", "21"], ["Бийск", "22"], ["Армавир", "23"],
  ["город Норильск", "24"], ["Уссурийск", "25"], ["Невинномысск", "26"], ["Комсомольск-на-Амуре", "27"],
  ["Благовещенск", "28"], ["Северодвинск", "29"], ["Ахтубинск", "30"], ["Старый Оскол", "31"],
  ["Клинцы", "32"], ["Ковров", "33"], ["Череповец", "35"], ["Борисоглебск", "36"],
  ["Кинешма", "37"], ["Ангарск", "38"], ["Черняховск", "39"], ["Обнинск", "40"], ["Елизово", "41"],
  ["Прокопьевск", "42"], ["Киров", "43"], ["Кинешма", "37"], ["Шадринск", "45"], ["Курчатов", "46"],
  ["Гатчина", "47"], ["Елец", "48"], ["Сусуман", "49"], ["Подольск", "50"], ["Апатиты", "51"],
  ["Боровичи", "53"], ["Тара", "55"], ["Орск", "56"], ["Ливны", "57"],
  ["Кузнецк", "58"], ["Березники", "59"], ["Великие Луки", "60"], ["Таганрог", "61"], ["Касимов", "62"],
  ["Энгельс", "64"], ["Корсаков", "65"], ["Каменск-Уральский", "66"], ["Вязьма", "67"], ["Мичуринск", "68"],
  ["Ржев", "69"], ["Северск", "70"], ["Новомосковск", "71"], ["Тобольск", "72"], ["Димитровград", "73"],
  ["Миасс", "74"], ["Краснокаменск", "75"], ["Рыбинск", "76"], ["Биробиджан", "79"],
  ["Нарьян-Мар", "83"], ["Сургут", "86"], ["Анадырь", "87"], ["Новый Уренгой", "89"], ["Евпатория", "91"],
  ["Ялта", "91"], ["Петропавловск-Камчатский", "41"],
];

describe("matchRegion: towns of all regions", () => {
  it.each(TOWNS)("%s → %s", (input, code) => {
    expect(matcher.matchRegion(input)).toEqual(one(code));
  });

  it("offers the regions of a town name shared by several regions of similar size", () => {
    expect(matcher.matchRegion("Железногорск")).toEqual(many("24", "46"));
    expect(matcher.matchRegion("Дзержинск")).toEqual(many("50", "52"));
  });

  it.each(["абырвалг", "помогите пожалуйста", "зима", "qwerty"])(
    "gives no region for %s",
    (input) => {
      expect(matcher.matchRegion(input)).toEqual(none);
    },
  );

  it("finds the municipality of a typed district in the same text", () => {
    expect(matcher.matchMunicipality("63", "Сызранский район")).toEqual({ type: "one", id: "m-syzran-d" });
    expect(matcher.matchMunicipality("63", "в Сызрани")).toEqual({ type: "one", id: "m-syzran" });
  });
});
