// Compiles src/ to dist/ with tsc (tsconfig.build.json) and copies what the service reads from
// disk next to its modules (eta views, web assets, demo routing JSON: every non-.ts file under src/).
// dist/ mirrors src/ at the same depth, so paths such as `../../locales/` resolve alike from both.
//
//   node scripts/build.mjs             type-checked build (`npm run build`)
//   node scripts/build.mjs --no-check  emit only, ~3× faster (what `npm start` uses when dist/ is stale)
//
// A fingerprint of the sources (paths, sizes, mtimes) is stored in dist/.build-stamp; `ensureBuilt`
// rebuilds only when it differs. Builds go to a temporary folder that replaces dist/ at the end,
// under a lock, so parallel starts (tests, two terminals) never see a half-written dist/.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DIST = path.join(ROOT, "dist");
const SRC = path.join(ROOT, "src");
const STAMP = path.join(DIST, ".build-stamp");
const LOCK = path.join(ROOT, ".dist.lock");
const INPUTS = ["tsconfig.json", "tsconfig.build.json", "package.json"];

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Fingerprint of everything the build reads; undefined when there are no sources (a production image). */
export function sourceFingerprint() {
  if (!existsSync(SRC)) return undefined;
  const hash = createHash("sha256");
  for (const f of [...walk(SRC), ...INPUTS.map((i) => path.join(ROOT, i)).filter(existsSync)].sort()) {
    const s = statSync(f);
    hash.update(`${path.relative(ROOT, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest("hex");
}

/** Why dist/ must be rebuilt, or undefined when it is current (or there is nothing to build from). */
export function staleReason() {
  if (!existsSync(path.join(DIST, "main.js"))) return existsSync(SRC) ? "dist/ is missing" : undefined;
  const fp = sourceFingerprint();
  if (fp === undefined) return undefined;
  let stamp;
  try {
    stamp = readFileSync(STAMP, "utf8").trim();
  } catch {
    return "dist/ has no build stamp";
  }
  return stamp === fp ? undefined : "sources changed since the last build";
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

async function withLock(fn) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, "pid"), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      // A lock left by a build that was killed: its process is gone.
      let holder = 0;
      try {
        holder = Number(readFileSync(path.join(LOCK, "pid"), "utf8"));
      } catch {}
      let age = 0;
      try {
        age = Date.now() - statSync(LOCK).mtimeMs;
      } catch {}
      if (holder > 0 ? !alive(holder) : age > 10_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another build holds ${LOCK} for too long; remove it if no build runs`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function tscPath() {
  try {
    return createRequire(path.join(ROOT, "package.json")).resolve("typescript/bin/tsc");
  } catch {
    throw new Error("TypeScript is not installed (a dev dependency): run `npm ci` to build dist/");
  }
}

/** Builds into a fresh folder and swaps it in. Rejects with tsc's output when compilation fails. */
export function build({ check = true, onlyIfStale = false } = {}) {
  return withLock(async () => {
    // Another process may have built while this one waited for the lock.
    if (onlyIfStale && !staleReason()) return { ms: 0, skipped: true };
    const started = Date.now();
    const out = path.join(ROOT, `.dist-build-${process.pid}`);
    rmSync(out, { recursive: true, force: true });
    const fingerprint = sourceFingerprint();
    const args = [tscPath(), "-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", out];
    if (!check) args.push("--noCheck");
    // A signal while tsc runs (Ctrl-C, SIGTERM from npm) stops tsc and leaves no lock or half build.
    const tsc = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const onSignal = (signal) => {
      tsc.kill("SIGKILL");
      rmSync(out, { recursive: true, force: true });
      rmSync(LOCK, { recursive: true, force: true });
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
    let output = "";
    tsc.stdout.on("data", (d) => (output += d));
    tsc.stderr.on("data", (d) => (output += d));
    const status = await new Promise((resolve) => tsc.on("close", resolve));
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    if (status !== 0) {
      rmSync(out, { recursive: true, force: true });
      throw new Error(`TypeScript build failed:\n${output}`);
    }
    for (const f of walk(SRC)) {
      if (f.endsWith(".ts")) continue;
      const target = path.join(out, path.relative(SRC, f));
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(f, target);
    }
    writeFileSync(path.join(out, ".build-stamp"), `${fingerprint}\n`);
    const old = path.join(ROOT, `.dist-old-${process.pid}`);
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(out, DIST);
    rmSync(old, { recursive: true, force: true });
    return { ms: Date.now() - started, skipped: false };
  });
}

/** Rebuilds dist/ (quickly, without type-checking) when it is missing or older than the sources. */
export async function ensureBuilt({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const reason = staleReason();
  if (!reason) return;
  log(`building dist/ (${reason})…`);
  const result = await build({ check: false, onlyIfStale: true });
  if (!result.skipped) log(`built dist/ in ${(result.ms / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { ms } = await build({ check: !process.argv.includes("--no-check") });
    console.log(`built dist/ in ${(ms / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
