import { describe, expect, it } from "vitest";
import { parseVcardPhones } from "../../src/channels/max/vcard.ts";

const TABLE: [string, string, string[]][] = [
  [
    "MAX card (CRLF, no +)",
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Имя\r\nTEL;TYPE=cell:79991234567\r\nEND:VCARD",
    ["79991234567"],
  ],
  ["LF only", "BEGIN:VCARD\nVERSION:3.0\nFN:Мария\nTEL;TYPE=cell:79991234567\nEND:VCARD\n", ["79991234567"]],
  ["formatted with +", "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:+7 (999) 123-45-67\r\nEND:VCARD", ["+79991234567"]],
  [
    "WhatsApp/Apple group prefix with waid",
    "BEGIN:VCARD\nVERSION:3.0\nN:;Ольга;;;\nFN:Ольга\nitem1.TEL;waid=79991234567:+7 999 123-45-67\nitem1.X-ABLabel:Мобильный\nEND:VCARD",
    ["+79991234567"],
  ],
  [
    "several TEL lines, cell first",
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Пётр\r\nTEL;TYPE=HOME:84951234567\r\nTEL;TYPE=WORK,VOICE:+74959876543\r\nTEL;TYPE=CELL:+79991234567\r\nEND:VCARD",
    ["+79991234567", "84951234567", "+74959876543"],
  ],
  [
    "folded lines",
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Очень длинное\r\n  имя\r\nTEL;TYPE=cell:+7999\r\n 1234567\r\nEND:VCARD",
    ["+79991234567"],
  ],
  ["no TEL at all", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Без номера\r\nEND:VCARD", []],
  ["empty TEL value", "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL;TYPE=cell:\r\nTEL;TYPE=cell:   \r\nEND:VCARD", []],
  [
    "vCard 2.1 bare type params",
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8:Иванова;Анна\r\nTEL;HOME:8 846 123 45 67\r\nTEL;CELL;PREF:8 (927) 123-45-67\r\nEND:VCARD",
    ["89271234567", "88461234567"],
  ],
  [
    "vCard 4 tel URI with extension",
    'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Офис\r\nTEL;VALUE=uri;TYPE="voice,cell":tel:+7-999-123-45-67;ext=102\r\nEND:VCARD',
    ["+79991234567"],
  ],
  [
    "lower-case property and pref ordering",
    "begin:vcard\nversion:3.0\ntel;type=home:+74951112233\ntel;type=pref:+79990001122\nend:vcard",
    ["+79990001122", "+74951112233"],
  ],
  [
    "duplicates removed",
    "BEGIN:VCARD\r\nTEL;TYPE=cell:79991234567\r\nTEL:79991234567\r\nEND:VCARD",
    ["79991234567"],
  ],
  ["no END line, stray text", "garbage\r\nTEL;TYPE=cell:79991234567", ["79991234567"]],
  [
    "TEL-like other property is ignored",
    "BEGIN:VCARD\r\nX-TELEGRAM:12345\r\nNOTE:TEL:89991234567\r\nEND:VCARD",
    [],
  ],
];

describe("parseVcardPhones", () => {
  it.each(TABLE)("%s", (_name, vcf, expected) => {
    expect(parseVcardPhones(vcf)).toEqual(expected);
  });

  it("never throws on junk", () => {
    for (const junk of [
      "",
      ":",
      ";;;:::",
      "TEL",
      "TEL;",
      "\u0000\uFFFF",
      undefined,
      null,
      42,
      {},
    ] as unknown[]) {
      expect(() => parseVcardPhones(junk as string)).not.toThrow();
      expect(Array.isArray(parseVcardPhones(junk as string))).toBe(true);
    }
  });
});
