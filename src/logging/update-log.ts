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

type Level = "debug" | "info" | "warn" | "error";

// A class, so an update's log is one small object rather than five closures (its methods are
// called on it, never passed on alone).
class LazyUpdateLog implements UpdateLog {
  #child: Logger | undefined;
  constructor(
    readonly log: Logger,
    readonly bindings: Record<string, unknown>,
  ) {}
  #write(level: Level, a: string | object, msg?: string): void {
    if (!this.log.isLevelEnabled(level)) return;
    this.#child ??= this.log.child(this.bindings);
    if (typeof a === "string") this.#child[level](a);
    else this.#child[level](a, msg);
  }
  debug(a: string | object, msg?: string): void {
    this.#write("debug", a, msg);
  }
  info(a: string | object, msg?: string): void {
    this.#write("info", a, msg);
  }
  warn(a: string | object, msg?: string): void {
    this.#write("warn", a, msg);
  }
  error(a: string | object, msg?: string): void {
    this.#write("error", a, msg);
  }
  with(more: Record<string, unknown>): UpdateLog {
    return new LazyUpdateLog(this.log, { ...this.bindings, ...more });
  }
}

export function logForUpdate(log: Logger, bindings: Record<string, unknown>): UpdateLog {
  return new LazyUpdateLog(log, bindings);
}
