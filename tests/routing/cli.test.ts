import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ROUTING_FILES } from "../../src/routing/routing-store.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
let dir: string;
let env: NodeJS.ProcessEnv;

function cli(...args: string[]) {
  // What `npm run routing` runs: the compiled CLI (built on first use), not tsx — quick on a loaded machine.
  const r = spawnSync(process.execPath, ["scripts/start.mjs", "cli/routing.js", ...args], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "opora-routing-cli-"));
  env = { ...process.env, DATABASE_FILE: path.join(dir, "nested", "opora.db") };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run routing", () => {
  it("imports files, explains a decision, and exports a region", { timeout: 180_000 }, () => {
    for (const name of ["federal.json", "63-samara.json"]) {
      const r = cli("import", DEMO_ROUTING_FILES.find((f) => f.endsWith(name))!);
      expect(r, r.stderr).toMatchObject({ code: 0 });
    }
    const night = cli(
      "explain",
      "--region",
      "63",
      "--municipality",
      "Сызрани",
      "--categories",
      "housing,violence",
      "--urgency",
      "P1",
      "--at",
      "2026-11-25T23:00:00+04:00",
    );
    expect(night.code, night.stderr).toBe(0);
    expect(night.stdout).toContain("queue:    samara-crisis-24x7 «Кризисная линия 24/7»");
    expect(night.stdout).toContain("placed:   rule syzran-all; the rules chose samara-team-syzran, closed at that time");
    expect(night.stdout).toContain("overflow: to the region's 24/7 queue");
    expect(night.stdout).toContain("local:    ср 23:00 (Europe/Samara)");
    expect(night.stdout).toContain(
      'why:      Правило "syzran-all" (муниципалитет Сызрань, любые категории, приоритет 10)',
    );

    const day = cli(
      "explain",
      "--region",
      "63",
      "--municipality",
      "syzran",
      "--categories",
      "housing",
      "--at",
      "2026-11-25T12:00:00+04:00",
    );
    expect(day.stdout).toContain("queue:    samara-team-syzran «Команда Сызрань»");
    expect(day.stdout).toContain("urgency P1 (derived)");

    const out = path.join(dir, "63.json");
    expect(cli("export", "63", "--out", out)).toMatchObject({ code: 0, stdout: `wrote ${out}\n` });
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ version: 1, region: "63", demo: true });
  });

  it("rejects bad input with one clear line per problem, exit code 1, and changes nothing", { timeout: 180_000 }, () => {
    const before = cli("export", "63").stdout;
    const bad = JSON.parse(
      readFileSync(DEMO_ROUTING_FILES.find((f) => f.endsWith("63-samara.json"))!, "utf8"),
    );
    bad.municipalities[0].name = "Сызрань-2";
    bad.rules[3].queue = "x";
    bad.rules[1].categories = ["foo"];
    const file = path.join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(bad));
    const r = cli("import", file);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `${file}: not imported, nothing changed (2 problems):`,
      '  rules[1].categories[0]: unknown category "foo"',
      '  rules[3].queue: unknown queue "x"',
    ]);
    expect(cli("export", "63").stdout).toBe(before);

    expect(cli("explain", "--region", "99", "--categories", "housing")).toMatchObject({
      code: 1,
      stderr: 'unknown region "99": expected a two-digit region code such as 63\n',
    });
    expect(cli("explain", "--region", "63", "--municipality", "atlantis").stderr).toMatch(
      /^unknown municipality "atlantis" in region 63 \(known: /,
    );
    expect(cli("export", "99")).toMatchObject({ code: 1, stderr: 'unknown region "99"\n' });
    writeFileSync(file, "{ not json");
    expect(cli("import", file)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/is not valid JSON/),
    });
    expect(cli("frobnicate").code).toBe(1);
  });
});
