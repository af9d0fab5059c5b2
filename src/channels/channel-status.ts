// Each messenger starts, retries and reports on its own: a messenger that cannot start (token
// refused, API down, an HTML error page, a timeout) is logged in one line, retried with backoff,
// and shown as down on /readyz and the admin overview, while the rest of the service serves on.
// No framework imports: the errors are recognised by shape (status / error_code / code / name).
import type { Logger } from "../logging/logger.ts";

export type ChannelName = "telegram" | "max";
export type ChannelState = "starting" | "up" | "down" | "stopped";

export interface ChannelStatus {
  name: ChannelName;
  mode: "polling" | "webhook";
  state: ChannelState;
  /** Since when the channel has been in this state. */
  since: Date;
  /** The last failure (never a stack, never personal data), kept after recovery. */
  lastError?: ChannelFailure & { at: Date };
}

export interface ChannelStatusBoard {
  register(name: ChannelName, mode: ChannelStatus["mode"]): void;
  set(name: ChannelName, state: ChannelState, err?: unknown): void;
  /** Configured channels in a stable order (telegram, max). */
  list(): ChannelStatus[];
}

export function createChannelStatusBoard(clock: () => Date = () => new Date()): ChannelStatusBoard {
  const board = new Map<ChannelName, ChannelStatus>();
  return {
    register(name, mode) {
      board.set(name, { name, mode, state: "starting", since: clock() });
    },
    set(name, state, err) {
      const s = board.get(name);
      if (!s) return;
      if (s.state !== state) {
        s.state = state;
        s.since = clock();
      }
      if (err !== undefined) s.lastError = { ...classifyChannelError(err), at: clock() };
    },
    list: () => (["telegram", "max"] as const).flatMap((n) => (board.has(n) ? [{ ...board.get(n)! }] : [])),
  };
}

export type ChannelFailureCode =
  | "token_refused"
  | "not_found"
  | "rate_limited"
  | "api_failing"
  | "refused"
  | "not_json"
  | "timeout"
  | "unreachable"
  | "tls"
  | "other";

/** A failure as a code (the admin page words it in the reader's language) and an English line for logs. */
export interface ChannelFailure {
  code: ChannelFailureCode;
  status?: number;
  reason: string;
}

const CODE_OF: [RegExp, ChannelFailureCode][] = [
  [/token was refused/, "token_refused"],
  [/answered 404/, "not_found"],
  [/limits requests/, "rate_limited"],
  [/is failing|kept failing/, "api_failing"],
  [/refused the call/, "refused"],
  [/not JSON/, "not_json"],
  [/in time/, "timeout"],
  [/unreachable/, "unreachable"],
  [/TLS/, "tls"],
];

export function classifyChannelError(err: unknown): ChannelFailure {
  const reason = describeChannelError(err);
  const code = CODE_OF.find(([re]) => re.test(reason))?.[1] ?? "other";
  const m = /\((\d{3})\)/.exec(reason);
  return { code, reason, ...(m ? { status: Number(m[1]) } : {}) };
}

/** One line an admin can act on, from the error's status/code only (messages may quote data). */
export function describeChannelError(err: unknown): string {
  const e = (typeof err === "object" && err !== null ? err : {}) as Record<string, unknown>;
  const status = typeof e.status === "number" ? e.status : typeof e.error_code === "number" ? e.error_code : undefined;
  const inner = (e.error ?? e.cause) as Record<string, unknown> | undefined;
  const code = String(e.code ?? inner?.code ?? (inner?.cause as Record<string, unknown> | undefined)?.code ?? "");
  const name = err instanceof Error ? err.name : "";
  if (status === 401 || status === 403) return `the bot token was refused (${status}): check the token`;
  if (status === 404) return "the API answered 404: check the token and the API address";
  if (status === 429) return "the API limits requests (429)";
  if (status !== undefined && status >= 500) return `the API is failing (${status})`;
  if (status !== undefined) return `the API refused the call (${status})`;
  if (name === "SyntaxError" || /json/i.test(code)) return "the API answered something that is not JSON (an HTML error page?)";
  if (name === "AbortError" || name === "TimeoutError" || /TIMEOUT|ETIMEDOUT/.test(code)) return "the API did not answer in time";
  if (/CERT|TLS|SSL/i.test(code)) return `TLS failure (${code})`;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|UND_ERR/.test(code) || name === "TypeError" || name === "HttpError")
    return `the API is unreachable${code ? ` (${code})` : ""}`;
  if (e.kind === "exhausted") return "the API kept failing after retries";
  return `start failed (${name || typeof err}${code ? ` ${code}` : ""})`;
}

export interface SupervisedChannel {
  /** Resolves once stopped: no start attempt is running or will run. */
  stop(): Promise<void>;
}

/**
 * Starts a channel and keeps retrying with exponential backoff (1 s … 5 min) until it is up or
 * the service stops. The first failure and every change of reason are logged (one line, warn);
 * repeats of the same reason are logged at debug so a long outage does not flood the log.
 */
export function superviseChannel(opts: {
  name: ChannelName;
  board: ChannelStatusBoard;
  log: Logger;
  start: () => Promise<void>;
  minDelayMs?: number;
  maxDelayMs?: number;
}): SupervisedChannel {
  const { name, board, log } = opts;
  const min = opts.minDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 300_000;
  let stopped = false;
  let wake: (() => void) | undefined;
  const run = (async () => {
    let delay = min;
    let lastReason: string | undefined;
    // "starting" only before the first attempt: a channel being retried stays "down" meanwhile.
    board.set(name, "starting");
    while (!stopped) {
      try {
        await opts.start();
        if (stopped) return;
        board.set(name, "up");
        if (lastReason) log.info({ channel: name }, `${name} channel is up again`);
        return;
      } catch (err) {
        if (stopped) return;
        board.set(name, "down", err);
        const reason = describeChannelError(err);
        const line = `${name} channel cannot start: ${reason}; retrying in ${Math.round(delay / 1000)} s, the rest of the service runs on`;
        if (reason !== lastReason) log.warn({ channel: name }, line);
        else log.debug({ channel: name }, line);
        lastReason = reason;
        await new Promise<void>((r) => {
          const t = setTimeout(r, delay);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        delay = Math.min(max, delay * 2);
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await run;
      board.set(name, "stopped");
    },
  };
}
