import { describe, expect, it } from "vitest";
import { cleanText, foldText, matchOptionByText, saysMinor, typedAge } from "../../src/dialog/text-input.ts";

describe("cleanText", () => {
  const TABLE: [string, number, ReturnType<typeof cleanText>][] = [
    ["", 100, { type: "empty" }],
    ["   \n\t  \r\n ", 100, { type: "empty" }],
    ["\u200B\u202E", 100, { type: "empty" }],
    ["  привет  ", 100, { type: "ok", text: "привет", truncated: false }],
    ["много    пробелов\tи\tтабов", 100, { type: "ok", text: "много пробелов и табов", truncated: false }],
    ["строка 1  \r\n  строка 2", 100, { type: "ok", text: "строка 1\nстрока 2", truncated: false }],
    ["абзац\n\n\n\n\nещё", 100, { type: "ok", text: "абзац\n\nещё", truncated: false }],
    ["a\u0000b\u0007c\u001Bd", 100, { type: "ok", text: "abcd", truncated: false }],
    ["скрытый\u202Eтекст", 100, { type: "ok", text: "скрытыйтекст", truncated: false }],
    ["🙂", 100, { type: "emoji_only" }],
    ["😢 😢  😢", 100, { type: "emoji_only" }],
    ["👨‍👩‍👧‍👦", 100, { type: "emoji_only" }],
    ["🇷🇺", 100, { type: "emoji_only" }],
    ["👍🏽", 100, { type: "emoji_only" }],
    ["❤️", 100, { type: "emoji_only" }],
    ["помогите 🙏", 100, { type: "ok", text: "помогите 🙏", truncated: false }],
    ["123", 100, { type: "ok", text: "123", truncated: false }],
    ["#", 100, { type: "ok", text: "#", truncated: false }],
    ["абвгдеж", 3, { type: "ok", text: "абв", truncated: true }],
    ["аб вгд", 3, { type: "ok", text: "аб", truncated: true }],
    ["🙂🙂🙂x", 2, { type: "ok", text: "🙂🙂", truncated: true }],
    ["x🙂🙂🙂", 2, { type: "ok", text: "x🙂", truncated: true }],
    ["ровно", 5, { type: "ok", text: "ровно", truncated: false }],
  ];
  it.each(TABLE)("%j (max %i)", (input, max, expected) => {
    expect(cleanText(input, max)).toEqual(expected);
  });

  it("never splits a surrogate pair", () => {
    const result = cleanText("a😀😀😀", 2);
    expect(result).toEqual({ type: "ok", text: "a😀", truncated: true });
  });
});

describe("foldText", () => {
  it("folds case, ё and punctuation", () => {
    expect(foldText("  Ёлка, ЁЖИК!!  ")).toBe("елка ежик");
    // Decomposed "й" and "ё" (e + combining marks) compose first.
    expect(foldText("и\u0306е\u0308")).toBe("йе");
  });
});

describe("matchOptionByText", () => {
  const options = [
    { id: "yes", labels: ["Да, даю согласие", "Yes, I agree"] },
    { id: "no", labels: ["Нет, не даю", "No"] },
    { id: "sos", labels: ["🆘 Экстренная помощь"] },
  ];
  const cats = [
    { id: "housing", labels: ["Жильё: выселение, негде жить"] },
    { id: "legal", labels: ["Документы, опека, алименты"] },
    { id: "disability", labels: ["Ребёнок с инвалидностью"] },
    { id: "danger", labels: ["Ребёнок в опасности"] },
  ];
  const TABLE: [string, typeof options, string | null][] = [
    ["1", options, "yes"],
    ["2", options, "no"],
    [" 3. ", options, "sos"],
    ["№2", options, "no"],
    ["4", options, null],
    ["0", options, null],
    ["да", options, "yes"],
    ["ДА, ДАЮ СОГЛАСИЕ", options, "yes"],
    ["нет", options, "no"],
    ["no", options, "no"],
    ["экстренная", options, "sos"],
    ["Экстренная помощь!", options, "sos"],
    ["жилье", cats, "housing"],
    ["Документы", cats, "legal"],
    ["ребенок", cats, null],
    ["ребёнок в опасности", cats, "danger"],
    ["р", cats, null],
    ["что-то другое", cats, null],
    ["", cats, null],
    ["🙂", cats, null],
  ];
  it.each(TABLE)("%j", (text, opts, expected) => {
    expect(matchOptionByText(text, opts)).toBe(expected);
  });

  it("returns null when two options share a label", () => {
    expect(
      matchOptionByText("да", [
        { id: "a", labels: ["Да"] },
        { id: "b", labels: ["да"] },
      ]),
    ).toBeNull();
  });
});

describe("matchOptionByText: everyday answers (issue 12.3)", () => {
  const yesNo = [
    { id: "yes", labels: ["Да", "да", "ага", "угу", "конечно", "есть"] },
    { id: "no", labels: ["Нет", "нет", "неа", "не"] },
    { id: "sos", labels: ["🆘 Экстренная помощь", "помогите"] },
  ];
  const consent = [
    { id: "give", labels: ["Даю согласие"] },
    { id: "decline", labels: ["Не даю согласия"] },
    { id: "sos", labels: ["🆘 Экстренная помощь"] },
  ];
  const age = [
    { id: "adult", labels: ["Да, мне 18 или больше", "да", "есть"] },
    { id: "minor", labels: ["Нет, мне меньше 18", "нет"] },
  ];
  // Not a yes/no question: «нет» must not pick the one label that starts with «Нет».
  const safe = [
    { id: "safe", labels: ["Я в безопасности, могу писать"] },
    { id: "unsafe", labels: ["Мне небезопасно"] },
    { id: "minor", labels: ["Нет, мне меньше 18"] },
    { id: "nodanger", labels: ["Опасности нет, продолжить обычные вопросы"] },
  ];
  const method = [
    { id: "call", labels: ["Позвонить"] },
    { id: "message", labels: ["Написать в этом мессенджере"] },
  ];
  const flags = [
    { id: "under4", labels: ["Ребёнок младше 4 лет"] },
    { id: "disability", labels: ["Ребёнок с инвалидностью"] },
    { id: "large", labels: ["Многодетная семья"] },
    { id: "none", labels: ["Ничего из этого", "нет"] },
  ];
  const TABLE: [string, { id: string; labels: string[] }[], string | null][] = [
    ["нет, всё спокойно", yesNo, "no"],
    ["пока нет", yesNo, "no"],
    ["да, есть", yesNo, "yes"],
    ["Нет угрозы", yesNo, "no"],
    ["нет, дети у бабушки", yesNo, "no"],
    ["конечнл", yesNo, "yes"],
    // What must stay a question again: unsure, turned, contradictory, a question, agreement off consent.
    ["не знаю", yesNo, null],
    ["нет, но мне страшно", yesNo, null],
    ["да нет", yesNo, null],
    ["да, второй день нет дома", yesNo, null],
    ["нет? а что это значит", yesNo, null],
    ["ок", yesNo, null],
    ["хорошо", yesNo, null],
    ["да согласна", consent, "give"],
    ["Согласна!", consent, "give"],
    ["ок", consent, "give"],
    ["не согласна", consent, "decline"],
    ["Нет, не согласен", consent, "decline"],
    ["нет", consent, "decline"],
    ["кто увидит мои данные?", consent, null],
    ["нет, а кто увидит мои данные", consent, null],
    ["мне уже есть 18", age, "adult"],
    ["больше 18", age, "adult"],
    ["нет", safe, null],
    ["опасности нет", safe, "nodanger"],
    ["Позвоните", method, "call"],
    ["напишите", method, "message"],
    ["лучше напишите в этот мессенджер", method, "message"],
    ["мы многодетные", flags, "large"],
    ["ребёнок до 4 лет", flags, "under4"],
    ["ребёнок", flags, null],
    ["нет ничего такого", flags, "none"],
  ];
  it.each(TABLE)("%j", (text, opts, expected) => {
    expect(matchOptionByText(text, opts)).toBe(expected);
  });
});

describe("ages typed in digits and words", () => {
  it.each([
    ["мне 15", 15],
    ["15 лет", 15],
    ["Да, мне 34", 34],
    ["мне сорок", 40],
    ["тридцать два года", 32],
    ["мне пятнадцать", 15],
    ["мне 15 тысяч", null],
    ["сорок тысяч", null],
  ] as const)("%j → %j", (text, age) => {
    expect(typedAge(text)).toBe(age);
  });
  it("a spelled-out teen age says the writer is a minor; a spelled-out amount does not", () => {
    expect(saysMinor("мне пятнадцать, можно просто поговорить?")).toBe(true);
    expect(saysMinor("мне пятнадцать тысяч надо на лекарства")).toBe(false);
  });
});
