// Shared test wiring: a capturing logger (to assert that bad input logs nothing above debug).
import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/logging/logger.ts";

export interface CapturedLog {
  log: Logger;
  lines: Array<{ level: number; msg?: string; [k: string]: unknown }>;
  /** Lines at warn (40) or above. */
  problems(): Array<{ level: number; msg?: string }>;
}

export function captureLog(level = "debug"): CapturedLog {
  const lines: CapturedLog["lines"] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ level, destination }), lines, problems: () => lines.filter((l) => l.level >= 40) };
}
