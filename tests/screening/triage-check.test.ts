import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { DEFAULT_LEXICON_FILE } from "../../src/screening/lexicon.ts";

// The real command as a clinician runs it: text on stdin, JSON lines on stdout.
function triageCheck(input: string | Buffer, args: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync(
    process.execPath,
    ["node_modules/tsx/dist/cli.mjs", "src/cli/triage-check.ts", ...args],
    {
      input,
      encoding: "utf8",
      env: { ...process.env, RED_FLAG_LEXICON_FILE: "", ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 110_000,
    },
  );
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  return { status: r.status, stderr: r.stderr, lines, json: lines.map((l) => JSON.parse(l)) };
}

const dir = mkdtempSync(join(tmpdir(), "opora-triage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each case starts a real process; on a loaded machine that takes seconds.
describe("npm run triage-check", { timeout: 120_000 }, () => {
  it("prints one JSON line per message with urgency, ids and the reason", () => {
    const r = triageCheck("он её зарезал\nдети голодные\nДа\n");
    expect(r.status).toBe(0);
    expect(r.json).toEqual([
      { text: "он её зарезал", urgency: "P0", matched: ["kill"], why: "Угроза убийством или убийство" },
      { text: "дети голодные", urgency: "P1", matched: ["no_food"], why: "Детям нечего есть" },
      { text: "Да", urgency: null, matched: [], why: null },
    ]);
  });

  it("gives the reason in English with --locale en and joins several reasons", () => {
    const r = triageCheck("убью, и схватил нож\r\n", ["--locale", "en"]);
    expect(r.json[0]).toMatchObject({ urgency: "P0", matched: ["kill", "weapon"] });
    expect(r.json[0].why).toMatch(/^Threat to kill.*; A knife/);
  });

  it("answers empty lines, a 100 KB line and binary junk with one line each, without crashing", () => {
    const long = `${"спокойный текст про пособие ".repeat(4000)}выпью все таблетки`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(100_000);
    const junk = Buffer.from([
      0x00, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xed, 0xa0, 0x80,
    ]);
    const input = Buffer.concat([Buffer.from(`\n\n${long}\n`), junk, Buffer.from("\nмуж бьёт меня")]);
    const r = triageCheck(input);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.lines).toHaveLength(5);
    expect(r.json[0]).toEqual({ text: "", urgency: null, matched: [], why: null });
    expect(r.json[1]).toEqual({ text: "", urgency: null, matched: [], why: null });
    expect(r.json[2]).toMatchObject({ urgency: "P0", matched: ["suicide"] });
    expect(r.json[2].text).toBe(long);
    expect(r.json[3]).toMatchObject({ urgency: null, matched: [] });
    // The last line has no newline after it and is still screened.
    expect(r.json[4]).toMatchObject({ text: "муж бьёт меня", urgency: "P0" });
  });

  it("screens with another lexicon from --lexicon or RED_FLAG_LEXICON_FILE", () => {
    const data = parse(readFileSync(DEFAULT_LEXICON_FILE, "utf8"));
    data.entries = data.entries.filter((e: { id: string }) => e.id !== "no_food");
    const file = join(dir, "no-food-removed.yaml");
    writeFileSync(file, stringify(data));
    expect(triageCheck("дети голодные\n", ["--lexicon", file]).json[0]).toMatchObject({ urgency: null });
    expect(triageCheck("дети голодные\n", [], { RED_FLAG_LEXICON_FILE: file }).json[0]).toMatchObject({
      urgency: null,
    });
  });

  it("refuses an invalid lexicon with the entry named and exit code 1", () => {
    const data = parse(readFileSync(DEFAULT_LEXICON_FILE, "utf8"));
    data.entries[0].level = "P7";
    const file = join(dir, "bad.yaml");
    writeFileSync(file, stringify(data));
    const r = triageCheck("он её зарезал\n", ["--lexicon", file]);
    expect(r.status).toBe(1);
    expect(r.lines).toEqual([]);
    expect(r.stderr).toContain(`entry "${data.entries[0].id}" (level)`);
  });
});
