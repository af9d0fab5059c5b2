import { describe, expect, it } from "vitest";
import { cleanText, foldText, matchOptionByText } from "../../src/dialog/text-input.ts";

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
