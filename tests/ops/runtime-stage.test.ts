// No Docker engine on these machines: this rebuilds the Dockerfile's runtime stage as a folder —
// exactly the files its COPY lines name, the build stage's node_modules made by the same
// scripts/production-deps.sh — and starts the service from it the way the image does (its ENV,
// its CMD) as an unprivileged user. It must answer /readyz, pass the image's HEALTHCHECK command,
// and stop cleanly on SIGTERM.
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { spawnService } from "./service-process.ts";

interface Stage {
  name: string | undefined;
  from: string;
  workdir: string;
  env: Record<string, string>;
  copies: Array<{ from: string | undefined; sources: string[]; dest: string }>;
  user: string | undefined;
  cmd: string[];
  healthcheck: string[];
}

/** The Dockerfile's instructions, line continuations joined, comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const expand = (s: string) => s.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? "");
  const execForm = (rest: string) => (rest.startsWith("[") ? (JSON.parse(rest) as string[]) : ["/bin/sh", "-c", rest]);
  for (const line of lines) {
    const [, instr = "", rest = ""] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const stage = stages.at(-1);
    switch (instr.toUpperCase()) {
      case "ARG": {
        const [k = "", v = ""] = rest.split("=");
        if (!stage) args[k] = v;
        break;
      }
      case "FROM": {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
        stages.push({ name: m?.[2], from: expand(m?.[1] ?? ""), workdir: "/", env: {}, copies: [], user: undefined, cmd: [], healthcheck: [] });
        break;
      }
      case "WORKDIR":
        if (stage) stage.workdir = rest;
        break;
      case "ENV":
        for (const m of rest.matchAll(/(\w+)=(\S+)/g)) if (stage && m[1] && m[2] !== undefined) stage.env[m[1]] = m[2];
        break;
      case "COPY": {
        const words = rest.split(/\s+/);
        const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
        const paths = words.filter((w) => !w.startsWith("--"));
        stage?.copies.push({ from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? "" });
        break;
      }
      case "USER":
        if (stage) stage.user = rest;
        break;
      case "CMD":
        if (stage) stage.cmd = execForm(rest);
        break;
      case "HEALTHCHECK": {
        const cmd = /\bCMD\s+(.*)$/.exec(rest)?.[1] ?? "";
        if (stage) stage.healthcheck = execForm(cmd);
        break;
      }
    }
  }
  return stages;
}

const ROOT = path.resolve(".");
const run = (cmd: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv) => {
  const r = spawnSync(cmd, args, { cwd, env: env ?? process.env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stdout}${r.stderr}`);
  return r.stdout;
};
const isRoot = process.getuid?.() === 0;

let stages: Stage[];
let runtime: Stage;
let app: string;
let data: string;
const folders: string[] = [];
/** Temporary folders that live for the whole file (service-process's tempDir is per test). */
function folder(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  folders.push(d);
  return d;
}
afterAll(() => {
  for (const d of folders) rmSync(d, { recursive: true, force: true });
});

beforeAll(async () => {
  await ensureBuilt({ log: () => undefined });
  stages = parseDockerfile(readFileSync("Dockerfile", "utf8"));
  const last = stages.at(-1);
  if (!last) throw new Error("Dockerfile has no stage");
  runtime = last;

  // The build stage's /app after `npm ci && npm run build && sh scripts/production-deps.sh`:
  // node_modules as hard links to ours (npm only unlinks in the copy), its own lockfile copies.
  const build = folder("opora-build-stage-");
  for (const f of ["package.json", "package-lock.json"]) copyFileSync(f, path.join(build, f));
  mkdirSync(path.join(build, "scripts"));
  copyFileSync("scripts/production-deps.sh", path.join(build, "scripts/production-deps.sh"));
  run("cp", ["-al", path.join(ROOT, "node_modules"), path.join(build, "node_modules")]);
  rmSync(path.join(build, "node_modules/.package-lock.json"), { force: true });
  copyFileSync("node_modules/.package-lock.json", path.join(build, "node_modules/.package-lock.json"));
  cpSync("dist", path.join(build, "dist"), { recursive: true });
  run("sh", ["scripts/production-deps.sh"], build, { ...process.env, npm_config_offline: "true", npm_config_loglevel: "error" });

  // The runtime stage's file set, from its COPY lines only.
  const root = folder("opora-image-");
  chmodSync(root, 0o755);
  app = path.join(root, runtime.workdir);
  mkdirSync(app, { recursive: true });
  const buildStageName = stages.find((s) => s !== runtime && s.name)?.name;
  for (const c of runtime.copies) {
    const base = c.from ? build : ROOT;
    if (c.from && c.from !== buildStageName) throw new Error(`COPY --from=${c.from}: unknown stage`);
    for (const src of c.sources) {
      const from = c.from ? path.join(base, path.relative(stages.find((s) => s.name === c.from)?.workdir ?? "/", src)) : path.join(base, src);
      if (!existsSync(from)) throw new Error(`COPY source ${src} does not exist`);
      const dest = path.join(app, c.dest);
      const target = c.dest.endsWith("/") ? path.join(dest, path.basename(src)) : dest;
      mkdirSync(path.dirname(target), { recursive: true });
      cpSync(from, target, { recursive: true, verbatimSymlinks: true });
    }
  }
  // RUN mkdir -p /data && chown node:node /data — here a data folder owned by the unprivileged user.
  data = path.join(root, "data");
  mkdirSync(data);
  if (isRoot) chownSync(data, 65534, 65534);
}, 600_000);

/** Runs as the unprivileged "nobody" when the tests run as root (CI), else as the current user. */
function asUser(argv: string[]): [string, string[]] {
  const [cmd = "", ...rest] = argv;
  const resolved = cmd === "node" ? process.execPath : cmd;
  return isRoot ? ["/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", resolved, ...rest]] : [resolved, rest];
}

describe("Docker image, runtime stage", () => {
  it("is Node 24, plain node on compiled JS, production dependencies only, non-root, health check on /readyz", () => {
    expect(runtime.from).toMatch(/^node:24\b/);
    expect(runtime.cmd).toEqual(["node", "dist/main.js"]);
    expect(runtime.user).toBe("node");
    expect(runtime.env.DEMO).toBe("false");
    expect(runtime.healthcheck.join(" ")).toMatch(/\/readyz/);
    expect(existsSync(path.join(app, "dist/main.js"))).toBe(true);
    expect(existsSync(path.join(app, "src"))).toBe(false);
    for (const dev of ["tsx", "typescript", "prisma", "vitest", "esbuild", "@biomejs/biome", "playwright-core"]) {
      expect(existsSync(path.join(app, "node_modules", dev)), dev).toBe(false);
    }
    const kb = Number(run("du", ["-sk", path.join(app, "node_modules")]).split("\t")[0]);
    console.log(`production node_modules: ${(kb / 1024).toFixed(0)} MB`);
    expect(kb / 1024).toBeLessThan(120);
  });

  it("starts from exactly those files as an unprivileged user, answers /readyz, passes HEALTHCHECK, stops cleanly", async () => {
    const env = {
      ...runtime.env,
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_FILE: path.join(data, "opora.db"),
      SESSION_SECRET: "runtime-stage-test-secret-0123456789abcdef",
    };
    const [cmd, args] = asUser(runtime.cmd);
    const s = spawnService(cmd, args, env, app);
    const port = await s.listening;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    if (isRoot) expect(run("stat", ["-c", "%u", path.join(data, "opora.db")]).trim()).toBe("65534");

    const [hcmd, hargs] = asUser(runtime.healthcheck);
    const hc = spawnSync(hcmd, hargs, { cwd: app, env: { PATH: process.env.PATH ?? "", PORT: String(port) }, encoding: "utf8" });
    expect(hc.status).toBe(0);

    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(s.output()).toMatch(/"msg":"stopped"/);
    expect(s.output()).not.toMatch(/demo login/);
  }, 120_000);
});
