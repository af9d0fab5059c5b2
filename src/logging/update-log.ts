// A logger bound to one update's ids, for the hot path of both messengers and the dialog service.
// The pino child is made on the first line actually written: most updates log nothing at the usual
// levels, and a pino child serializes its bindings through the redaction of every sensitive path
// (logger.ts) — three children per update were a sixth of the bot's allocations under load.
import type { Logger } from "pino";

export type LogFn = { (msg: string): void; (obj: object, msg: string): void };

export interface UpdateLog {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** The same log with more bindings (still no pino child until a line is written). */
  with(bindings: Record<string, unknown>): UpdateLog;
}

export function logForUpdate(log: Logger, bindings: Record<string, unknown>): UpdateLog {
  let child: Logger | undefined;
  const at =
    (level: "debug" | "info" | "warn" | "error"): LogFn =>
    (a: string | object, msg?: string) => {
      if (!log.isLevelEnabled(level)) return;
      child ??= log.child(bindings);
      if (typeof a === "string") child[level](a);
      else child[level](a, msg);
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    with: (more) => logForUpdate(log, { ...bindings, ...more }),
  };
}
