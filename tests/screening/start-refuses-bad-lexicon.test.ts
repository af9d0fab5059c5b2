import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { DEFAULT_LEXICON_FILE } from "../../src/screening/lexicon.ts";

const dir = mkdtempSync(join(tmpdir(), "opora-start-lexicon-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("starting the service with a broken lexicon", () => {
  it("refuses to start with exit code 1, names the entry and touches no database", () => {
    const data = parse(readFileSync(DEFAULT_LEXICON_FILE, "utf8"));
    const dup = data.entries.find((e: { id: string }) => e.id === "weapon");
    data.entries.push({ ...dup });
    const file = join(dir, "dup.yaml");
    writeFileSync(file, stringify(data));
    const db = join(dir, "opora.db");
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "src/main.ts"], {
      encoding: "utf8",
      env: { ...process.env, RED_FLAG_LEXICON_FILE: file, DATABASE_FILE: db, PORT: "0", HOST: "127.0.0.1" },
      timeout: 110_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Opora cannot start: the red-flag lexicon");
    expect(r.stderr).toContain('entry "weapon": the id is used twice');
    expect(existsSync(db)).toBe(false);
  }, 120_000);
});
