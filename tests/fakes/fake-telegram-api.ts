// A fake Telegram Bot API over real HTTP on 127.0.0.1, for tests and the benchmark.
// Implements the methods the channel uses, records every call, long-polls getUpdates, and can be
// told to fail the next N calls of a method (429 with retry_after, 500, 403).
// It keeps every message of every chat (the bot's and the person's) with its date, so deletion
// follows the Bot API's rules: only messages of that chat, only ones sent less than 48 hours ago
// (the fake's clock can be moved forward), deleteMessages takes 1–100 ids and skips unknown ones.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";

export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
  at: number;
}

export type Failure = { code: 429; retryAfter: number } | { code: 500 } | { code: 403 } | { code: 400; description?: string };

export interface SentMessage {
  message_id: number;
  chat_id: string;
  text: string;
  reply_markup?: Record<string, unknown>;
}

export interface FakeUser {
  id: number;
  first_name?: string;
  language_code?: string;
}

export interface FakeTelegramApi {
  /** Bot API root to give the channel (no trailing slash). */
  apiRoot: string;
  token: string;
  calls: RecordedCall[];
  /** Messages the bot sent (sendMessage), in order. */
  sent: SentMessage[];
  /** Queues an update for getUpdates; assigns update_id when missing or 0. Returns the update. */
  push(update: Omit<Update, "update_id"> & { update_id?: number }): Update;
  /** Assigns a fresh update_id without queueing (webhook tests post the update themselves). */
  stamp(update: Omit<Update, "update_id"> & { update_id?: number }): Update;
  failNext(method: string, count: number, failure: Failure): void;
  callsOf(method: string): RecordedCall[];
  sentTo(chatId: number | string): SentMessage[];
  /** Resolves when `predicate` holds for the recorded calls (polls every few ms). */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Calls `fn` for every message the bot sends, and for one edited to show new buttons (works with record: false). */
  onSent(fn: (message: SentMessage) => void): void;
  /** Number of updates confirmed by getUpdates offsets. */
  readonly confirmedUpTo: number;
  close(): Promise<void>;
  /**
   * A file a person sent (issue 15.11): `getFile` names its path and `/file/bot<token>/<path>`
   * serves it; over 20 MB `getFile` answers 400 "file is too big" as the real Bot API does.
   */
  addFile(bytes: Buffer, opts?: { declaredSize?: number }): { file_id: string; file_size: number };
  /** Downloads served per file_id. */
  fileDownloads: Map<string, number>;
  /** Helpers building realistic private-chat updates. */
  text(user: FakeUser, text: string, extra?: Record<string, unknown>): Update;
  press(user: FakeUser, messageId: number, data: string, chatId?: number): Update;
  contact(user: FakeUser, phone: string, contactUserId?: number): Update;
  message(user: FakeUser, fields: Record<string, unknown>): Update;
  /** A photo with a caption (the photo itself is a placeholder). */
  photo(user: FakeUser, caption: string): Update;
  /** The person edited an earlier message of theirs (`original` as returned by `text`). */
  edited(original: Update, text: string): Update;
  /** Moves the fake's clock forward (message dates and the 48-hour deletion limit follow it). */
  advanceClock(seconds: number): void;
  /** Messages of a chat that have not been deleted, both sides, oldest first. */
  visible(chatId: number | string): ChatMessage[];
  /** Ids deleted by deleteMessage / deleteMessages, in order. */
  deleted: Array<{ chat_id: string; message_id: number }>;
  /** A chat the bot may write to although no update came from it yet (Bot API: "chat not found"). */
  addChat(chatId: number | string): void;
  /** Calls the fake refused, as the Bot API words them (a test can assert the product sent none). */
  rejected: Array<{ method: string; error_code: number; description: string }>;
}

/**
 * Rate limits the fake enforces with 429 and `retry_after` (off unless given: most tests run their
 * channel with fast limits). Messages and edits count, as in the product's limiter.
 */
export interface FakeRateLimits {
  /** Messages per second over the whole bot (Telegram: about 30). */
  globalPerSecond: number;
  /** One chat: a burst, then this many per second (Telegram: about 1). */
  perChatPerSecond: number;
  perChatBurst: number;
  /** One group chat: at most this many in any minute (Telegram: 20). */
  groupPerMinute: number;
}

/** Telegram's limits as the FAQ states them, with the short burst a private chat is allowed. */
export const TELEGRAM_LIMITS: FakeRateLimits = { globalPerSecond: 30, perChatPerSecond: 1, perChatBurst: 4, groupPerMinute: 20 };

/** A press older than this cannot be answered any more ("query is too old"). */
export const CALLBACK_ANSWER_WINDOW_SECONDS = 15;

/** A message as the fake keeps it for the deletion rules. */
export interface ChatMessage {
  chat_id: string;
  message_id: number;
  /** Unix seconds on the fake's clock. */
  date: number;
  /** Sent by the bot (else by the person). */
  outgoing: boolean;
  text?: string;
  /** The message's inline keyboard as JSON (edits that change nothing are refused). */
  markup?: string;
}

/** The Bot API lets a bot delete a message only while it is younger than this. */
export const TELEGRAM_DELETE_WINDOW_SECONDS = 48 * 3600;

export const FAKE_BOT = { id: 4242, is_bot: true as const, first_name: "Opora", username: "opora_test_bot" };

/** `record: false` keeps no history of calls and messages (benchmarks); use `onSent` then. */
export async function startFakeTelegramApi(opts: { token?: string; record?: boolean; limits?: FakeRateLimits } = {}): Promise<FakeTelegramApi> {
  const token = opts.token ?? "123456:TEST-token";
  const record = opts.record ?? true;
  const calls: RecordedCall[] = [];
  const sent: SentMessage[] = [];
  const updates: Update[] = [];
  const failures = new Map<string, Failure[]>();
  const waiters = new Set<() => void>();
  const sentListeners: Array<(m: SentMessage) => void> = [];
  let nextUpdateId = 1000;
  let nextMessageId = 1;
  let confirmedUpTo = 0;
  let clockOffset = 0;
  const now = () => Math.floor(Date.now() / 1000) + clockOffset;
  /** Every message by "chat:id", deleted ones removed. */
  const chatMessages = new Map<string, ChatMessage>();
  const deleted: Array<{ chat_id: string; message_id: number }> = [];
  const keep = (m: ChatMessage) => {
    chatMessages.set(`${m.chat_id}:${m.message_id}`, m);
  };
  /** Why a message cannot be deleted, as the Bot API words it; null when it can. */
  const undeletable = (chatId: string, messageId: number): string | null => {
    const m = chatMessages.get(`${chatId}:${messageId}`);
    if (!m) return "Bad Request: message to delete not found";
    if (now() - m.date >= TELEGRAM_DELETE_WINDOW_SECONDS) return "Bad Request: message can't be deleted for everyone";
    return null;
  };
  const remove = (chatId: string, messageId: number) => {
    chatMessages.delete(`${chatId}:${messageId}`);
    deleted.push({ chat_id: chatId, message_id: messageId });
  };

  // ── strictness: what the real Bot API refuses, in its words ───────────────────────────────
  const knownChats = new Set<string>();
  const rejected: FakeTelegramApi["rejected"] = [];
  /** Presses by callback_query_id: when made (fake clock, seconds) and whether answered. */
  const callbacks = new Map<string, { at: number; answered: boolean }>();
  let webhookUrl = "";
  let allowedUpdates: string[] | undefined;
  let pendingPoll: (() => void) | undefined;
  let pressSeq = 0;
  const noteUpdate = (u: Record<string, unknown>) => {
    for (const key of ["message", "edited_message", "my_chat_member", "channel_post"]) {
      const chat = (u[key] as { chat?: { id?: unknown } } | undefined)?.chat;
      if (chat?.id !== undefined) knownChats.add(String(chat.id));
    }
    const cq = u.callback_query as { id?: unknown; message?: { chat?: { id?: unknown } } } | undefined;
    if (cq?.message?.chat?.id !== undefined) knownChats.add(String(cq.message.chat.id));
    if (typeof cq?.id === "string" && !callbacks.has(cq.id)) callbacks.set(cq.id, { at: now(), answered: false });
  };
  type Refusal = { status: number; body: { ok: false; error_code: number; description: string; parameters?: { retry_after: number } } };
  const refuse = (error_code: number, description: string): Refusal => ({ status: error_code, body: { ok: false, error_code, description } });
  const bad = (description: string) => refuse(400, `Bad Request: ${description}`);
  const PARSE_MODES = new Set(["HTML", "Markdown", "MarkdownV2"]);
  const isChatId = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v)) || (typeof v === "string" && /^(-?\d+|@\w{5,})$/.test(v));

  /** Why a reply_markup is refused (null: fine). `inlineOnly` for edits. */
  const markupProblem = (markup: unknown, inlineOnly: boolean): string | null => {
    if (markup === undefined) return null;
    if (typeof markup !== "object" || markup === null || Array.isArray(markup)) return "can't parse reply keyboard markup JSON object";
    const m = markup as Record<string, unknown>;
    const kinds = ["inline_keyboard", "keyboard", "remove_keyboard", "force_reply"].filter((k) => k in m);
    if (kinds.length !== 1) return "can't parse reply keyboard markup JSON object";
    if (inlineOnly && kinds[0] !== "inline_keyboard") return "inline keyboard expected";
    if ("remove_keyboard" in m) return m.remove_keyboard === true ? null : "can't parse reply keyboard markup JSON object";
    if ("force_reply" in m) return m.force_reply === true ? null : "can't parse reply keyboard markup JSON object";
    const rows = (m.inline_keyboard ?? m.keyboard) as unknown;
    const field = "inline_keyboard" in m ? "inline_keyboard" : "keyboard";
    if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) return `field "${field}" of the ${field === "keyboard" ? "ReplyKeyboardMarkup" : "InlineKeyboardMarkup"} must be an Array of Arrays`;
    if (field === "keyboard" && rows.length === 0) return "keyboard must be non-empty";
    for (const row of rows as unknown[][]) {
      for (const b of row) {
        if (field === "keyboard") {
          if (typeof b === "string" ? b.length === 0 : typeof (b as { text?: unknown })?.text !== "string" || (b as { text: string }).text.length === 0) return "can't parse keyboard button: Text must be non-empty";
          continue;
        }
        const button = b as Record<string, unknown>;
        if (typeof button?.text !== "string" || button.text.length === 0) return "can't parse inline keyboard button: Text must be non-empty";
        const actions = ["callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat", "web_app", "login_url", "pay", "copy_text"].filter((k) => k in button);
        if (actions.length !== 1) return "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
        if ("callback_data" in button) {
          const data = button.callback_data;
          if (typeof data !== "string" || data.length === 0 || Buffer.byteLength(data, "utf8") > 64) return "BUTTON_DATA_INVALID";
        }
        if ("url" in button && (typeof button.url !== "string" || !/^(https?|tg):\/\/\S+$/.test(button.url))) return "BUTTON_URL_INVALID";
      }
    }
    return null;
  };

  /** Text checks of sendMessage / editMessageText. */
  const textProblem = (payload: Record<string, unknown>): string | null => {
    const text = payload.text;
    if (typeof text !== "string" || text.trim().length === 0) return "message text is empty";
    if (text.length > 4096) return "message is too long";
    if (payload.parse_mode !== undefined && !PARSE_MODES.has(String(payload.parse_mode))) return `unsupported parse_mode "${String(payload.parse_mode)}"`;
    return null;
  };

  // Rate limits (opt-in): a token bucket per private chat, a sliding minute per group, a sliding second overall.
  const chatBuckets = new Map<string, { tokens: number; at: number }>();
  const groupSends = new Map<string, number[]>();
  let botSends: number[] = [];
  const countsAsMessage = (method: string) => /^(send|copyMessage|forwardMessage|editMessage)/.test(method);
  // Telegram's 30/s is about messages sent; edits count in their chat only. The fake allows 50 ms of
  // network jitter (a call the client started on time may arrive a little early or late).
  const sendsMessage = (method: string) => /^(send|copyMessage|forwardMessage)/.test(method);
  const JITTER_MS = 50;
  const overLimit = (method: string, chatId: string): Refusal | null => {
    const limits = opts.limits;
    if (!limits || !countsAsMessage(method)) return null;
    const t = Date.now();
    const tooMany = (retryAfter: number): Refusal => ({
      status: 429,
      body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } },
    });
    botSends = botSends.filter((s) => t - s < 1000 - JITTER_MS);
    if (sendsMessage(method) && botSends.length >= limits.globalPerSecond) return tooMany(1);
    if (chatId.startsWith("-")) {
      const list = (groupSends.get(chatId) ?? []).filter((s) => t - s < 60_000 - JITTER_MS);
      groupSends.set(chatId, list);
      if (list.length >= limits.groupPerMinute) return tooMany(Math.max(1, Math.ceil((60_000 - (t - (list[0] as number))) / 1000)));
      list.push(t);
    } else {
      const b = chatBuckets.get(chatId) ?? { tokens: limits.perChatBurst, at: t };
      b.tokens = Math.min(limits.perChatBurst, b.tokens + ((t - b.at) / 1000) * limits.perChatPerSecond);
      b.at = t;
      chatBuckets.set(chatId, b);
      if (b.tokens < 1 - (JITTER_MS / 1000) * limits.perChatPerSecond) return tooMany(Math.max(1, Math.ceil((1 - b.tokens) / limits.perChatPerSecond)));
      b.tokens -= 1;
    }
    if (sendsMessage(method)) botSends.push(t);
    return null;
  };

  /**
   * Validates a call as the Bot API would; answers the calls that only change the fake's state
   * (callback answers, webhook, commands). Returns a refusal, a result, or null (handled below).
   */
  const check = (method: string, payload: Record<string, unknown>): Refusal | { result: unknown } | null => {
    const chatMethod = /^(send\w+|editMessage\w+|deleteMessages?|copyMessage|forwardMessage)$/.test(method);
    if (chatMethod) {
      if (payload.chat_id === undefined || payload.chat_id === "") return bad("chat_id is empty");
      if (!isChatId(payload.chat_id) || !knownChats.has(String(payload.chat_id))) return bad("chat not found");
      if ("reply_markup" in payload && payload.reply_markup !== undefined) {
        const problem = markupProblem(payload.reply_markup, method.startsWith("edit"));
        if (problem) return bad(problem);
      }
    }
    if (method === "sendMessage") {
      const problem = textProblem(payload);
      if (problem) return bad(problem);
    }
    if (method === "editMessageText" || method === "editMessageReplyMarkup") {
      const id = Number(payload.message_id);
      if (!Number.isSafeInteger(id) || id <= 0) return bad("message identifier is not specified");
      if (method === "editMessageText") {
        const problem = textProblem(payload);
        if (problem) return bad(problem);
      }
      const target = chatMessages.get(`${String(payload.chat_id)}:${id}`);
      if (!target) return bad("message to edit not found");
      if (!target.outgoing) return bad("message can't be edited");
      const markup = payload.reply_markup as { inline_keyboard?: unknown[] } | undefined;
      const nextMarkup = markup?.inline_keyboard && markup.inline_keyboard.length > 0 ? JSON.stringify(markup) : undefined;
      const nextText = method === "editMessageText" ? String(payload.text) : target.text;
      if (nextText === target.text && nextMarkup === target.markup) {
        return bad("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
      }
    }
    if (chatMethod) {
      const limited = overLimit(method, String(payload.chat_id));
      if (limited) return limited;
    }
    // The edit is accepted: the message as the person now sees it.
    if (method === "editMessageText" || method === "editMessageReplyMarkup") {
      const target = chatMessages.get(`${String(payload.chat_id)}:${Number(payload.message_id)}`) as ChatMessage;
      const markup = payload.reply_markup as { inline_keyboard?: unknown[] } | undefined;
      if (method === "editMessageText") target.text = String(payload.text);
      if (markup?.inline_keyboard && markup.inline_keyboard.length > 0) target.markup = JSON.stringify(markup);
      else delete target.markup;
    }
    switch (method) {
      case "answerCallbackQuery": {
        const id = payload.callback_query_id;
        const press = typeof id === "string" ? callbacks.get(id) : undefined;
        if (!press || press.answered || now() - press.at > CALLBACK_ANSWER_WINDOW_SECONDS) {
          return bad("query is too old and response timeout expired or query ID is invalid");
        }
        if (payload.text !== undefined && (typeof payload.text !== "string" || payload.text.length > 200)) return bad("MESSAGE_TOO_LONG");
        press.answered = true;
        return { result: true };
      }
      case "setWebhook": {
        const url = payload.url;
        if (typeof url !== "string" || url === "") return bad("bad webhook: Webhook URL must be non-empty");
        if (!/^https:\/\/[^/:]+(:(443|80|88|8443))?(\/|$)/.test(url)) return bad("bad webhook: An HTTPS URL must be provided for webhook");
        if (payload.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(payload.secret_token))) return bad("secret token contains unallowed characters");
        webhookUrl = url;
        if (Array.isArray(payload.allowed_updates)) allowedUpdates = payload.allowed_updates.map(String);
        pendingPoll?.();
        return { result: true };
      }
      case "deleteWebhook":
        webhookUrl = "";
        return { result: true };
      case "setMyCommands": {
        const commands = payload.commands;
        if (!Array.isArray(commands) || commands.length > 100) return bad("commands must be an array of at most 100 BotCommand");
        for (const c of commands as Array<Record<string, unknown>>) {
          if (typeof c?.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(c.command)) return bad("BOT_COMMAND_INVALID");
          if (typeof c.description !== "string" || c.description.length === 0 || c.description.length > 256) return bad("BOT_COMMAND_DESCRIPTION_INVALID");
        }
        return { result: true };
      }
      case "getUpdates":
        if (webhookUrl) return refuse(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        return null;
    }
    return null;
  };

  const wake = () => {
    for (const w of [...waiters]) w();
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        try {
          resolve(raw ? (JSON.parse(raw) as Record<string, unknown>) : {});
        } catch {
          resolve({});
        }
      });
    });

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (res.destroyed || res.headersSent) return;
    const json = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
    res.end(json);
  };

  const ok = (res: ServerResponse, result: unknown) => send(res, 200, { ok: true, result });

  async function getUpdates(req: IncomingMessage, res: ServerResponse, payload: Record<string, unknown>) {
    const offset = Number(payload.offset ?? 0);
    const limit = Number(payload.limit ?? 100);
    const timeout = Number(payload.timeout ?? 0);
    if (offset > 0) {
      confirmedUpTo = Math.max(confirmedUpTo, offset - 1);
      while (updates.length > 0 && (updates[0]?.update_id ?? 0) < offset) updates.shift();
    }
    // allowed_updates, once given, holds for later calls too (as the Bot API keeps it).
    if (Array.isArray(payload.allowed_updates)) allowedUpdates = payload.allowed_updates.map(String);
    const wanted = (u: Update) => !allowedUpdates || allowedUpdates.length === 0 || Object.keys(u).some((k) => k !== "update_id" && allowedUpdates?.includes(k));
    // Updates of a type the bot did not ask for are dropped, as Telegram drops them.
    if (allowedUpdates && allowedUpdates.length > 0) for (let i = updates.length - 1; i >= 0; i--) if (!wanted(updates[i] as Update)) updates.splice(i, 1);
    const available = () => updates.filter((u) => u.update_id >= offset && wanted(u)).slice(0, limit);
    // A second getUpdates ends the first with 409, as when two bot instances poll.
    pendingPoll?.();
    if (available().length > 0 || timeout <= 0) return ok(res, available());
    let terminated = false;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (pendingPoll === terminate) pendingPoll = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeout * 1000);
      waiters.add(done);
      const terminate = () => {
        terminated = true;
        done();
        send(res, 409, { ok: false, error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" });
      };
      pendingPoll = terminate;
      req.on("close", done);
      res.on("close", done);
    });
    if (!terminated) ok(res, available());
  }

  const files = new Map<string, { path: string; bytes: Buffer; size: number }>();
  const fileDownloads = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const fm = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url ?? "");
    if (fm && req.method === "GET") {
      const entry = fm[1] === token ? [...files.entries()].find(([, f]) => f.path === decodeURIComponent(fm[2] ?? "")) : undefined;
      if (!entry) return send(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      fileDownloads.set(entry[0], (fileDownloads.get(entry[0]) ?? 0) + 1);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(entry[1].bytes.length) });
      res.end(entry[1].bytes);
      return;
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    if (!m || req.method !== "POST") return send(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    const [, gotToken, method = ""] = m;
    const payload = await readBody(req);
    if (gotToken !== token) return send(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    if (record) calls.push({ method, payload, at: Date.now() });

    const queued = failures.get(method);
    const failure = queued?.shift();
    if (queued && queued.length === 0) failures.delete(method);
    if (failure) {
      if (failure.code === 429) {
        return send(res, 429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${failure.retryAfter}`,
          parameters: { retry_after: failure.retryAfter },
        });
      }
      if (failure.code === 500) return send(res, 500, { ok: false, error_code: 500, description: "Internal Server Error" });
      if (failure.code === 403) return send(res, 403, { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" });
      return send(res, 400, { ok: false, error_code: 400, description: failure.description ?? "Bad Request" });
    }

    const checked = check(method, payload);
    if (checked && "status" in checked) {
      rejected.push({ method, error_code: checked.body.error_code, description: checked.body.description });
      return send(res, checked.status, checked.body);
    }
    if (checked) return ok(res, checked.result);

    switch (method) {
      case "getMe":
        return ok(res, { ...FAKE_BOT, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case "getUpdates":
        return getUpdates(req, res, payload);
      case "sendMessage": {
        const message: SentMessage = {
          message_id: nextMessageId++,
          chat_id: String(payload.chat_id),
          text: String(payload.text ?? ""),
          ...(payload.reply_markup ? { reply_markup: payload.reply_markup as Record<string, unknown> } : {}),
        };
        if (message.text.length > 4096) return send(res, 400, { ok: false, error_code: 400, description: "Bad Request: message is too long" });
        if (record) sent.push(message);
        // Kept even without `record`: edits and deletions are checked against it.
        const inline = message.reply_markup && Array.isArray(message.reply_markup.inline_keyboard) && message.reply_markup.inline_keyboard.length > 0;
        keep({ chat_id: message.chat_id, message_id: message.message_id, date: now(), outgoing: true, text: message.text, ...(inline ? { markup: JSON.stringify(message.reply_markup) } : {}) });
        for (const fn of sentListeners) fn(message);
        const chatId = Number(payload.chat_id);
        return ok(res, {
          message_id: message.message_id,
          date: now(),
          chat: chatId > 0 ? { id: chatId, type: "private", first_name: "x" } : { id: chatId, type: "group", title: "g" },
          from: FAKE_BOT,
          text: message.text,
          ...(message.reply_markup && "inline_keyboard" in message.reply_markup ? { reply_markup: message.reply_markup } : {}),
        });
      }
      case "editMessageReplyMarkup":
      case "editMessageText": {
        // The edit shows on the message as the person sees it (tests read `sent`).
        // With record: false (benchmarks) nothing is kept: the edit is described from its payload.
        const target = sent.find((m) => m.chat_id === String(payload.chat_id) && m.message_id === Number(payload.message_id)) ?? {
          message_id: Number(payload.message_id),
          chat_id: String(payload.chat_id),
          text: String(payload.text ?? ""),
        };
        if (method === "editMessageText") target.text = String(payload.text ?? "");
        const markup = payload.reply_markup as Record<string, unknown> | undefined;
        if (markup && Array.isArray(markup.inline_keyboard) && markup.inline_keyboard.length > 0) {
          target.reply_markup = markup;
          // A question edited in place (new buttons) is what the person answers next.
          for (const fn of sentListeners) fn(target);
        } else delete target.reply_markup;
        return ok(res, true);
      }
      case "deleteMessage": {
        const chatId = String(payload.chat_id);
        const messageId = Number(payload.message_id);
        const why = undeletable(chatId, messageId);
        if (why) return send(res, 400, { ok: false, error_code: 400, description: why });
        remove(chatId, messageId);
        return ok(res, true);
      }
      case "deleteMessages": {
        const chatId = String(payload.chat_id);
        const ids = Array.isArray(payload.message_ids) ? payload.message_ids.map(Number) : [];
        if (ids.length === 0) return send(res, 400, { ok: false, error_code: 400, description: "Bad Request: message identifiers are not specified" });
        if (ids.length > 100) return send(res, 400, { ok: false, error_code: 400, description: "Bad Request: too many messages to delete" });
        // Unknown ids are skipped; one that exists but is too old fails the whole call.
        const present = ids.filter((id) => chatMessages.has(`${chatId}:${id}`));
        const refused = present.map((id) => undeletable(chatId, id)).find((why) => why !== null);
        if (refused) return send(res, 400, { ok: false, error_code: 400, description: refused });
        for (const id of present) remove(chatId, id);
        return ok(res, true);
      }
      case "getFile": {
        const f = files.get(String(payload.file_id ?? ""));
        if (!f) return send(res, 400, { ok: false, error_code: 400, description: "Bad Request: invalid file_id" });
        if (f.size > 20 * 1024 * 1024) return send(res, 400, { ok: false, error_code: 400, description: "Bad Request: file is too big" });
        return ok(res, { file_id: payload.file_id, file_unique_id: `u-${payload.file_id}`, file_size: f.size, file_path: f.path });
      }
      case "answerCallbackQuery":
      case "setMyCommands":
      case "deleteWebhook":
      case "setWebhook":
        return ok(res, true);
      default:
        return send(res, 404, { ok: false, error_code: 404, description: `Not Found: method ${method}` });
    }
  });
  // Idle connections stay open as with the real Bot API (clients read the keep-alive hint: at
  // Node's 1 s hint, undici and Node's agent closed every connection after one call). close()
  // ends them all, long polls included.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const privateMessage = (user: FakeUser, fields: Record<string, unknown>) => {
    const message = {
      message_id: nextMessageId++,
      date: now(),
      chat: { id: user.id, type: "private" as const, first_name: user.first_name ?? "Parent" },
      from: { id: user.id, is_bot: false, first_name: user.first_name ?? "Parent", language_code: user.language_code ?? "ru" },
      ...fields,
    };
    knownChats.add(String(message.chat.id));
    // The person's message is in the chat from the moment it is written.
    if (record) keep({ chat_id: String(user.id), message_id: message.message_id, date: message.date, outgoing: false, ...(typeof fields.text === "string" ? { text: fields.text } : {}) });
    return message;
  };

  const api: FakeTelegramApi = {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    calls,
    sent,
    push(update) {
      const full = api.stamp(update);
      updates.push(full);
      wake();
      return full;
    },
    stamp(update) {
      // update_id 0 (the builders' placeholder) or missing means "assign the next one".
      const id = update.update_id ? update.update_id : nextUpdateId++;
      nextUpdateId = Math.max(nextUpdateId, id + 1);
      // A chat and a press the update shows exist from now on (the bot may answer them).
      noteUpdate(update as Record<string, unknown>);
      return { ...update, update_id: id } as Update;
    },
    failNext(method, count, failure) {
      const list = failures.get(method) ?? [];
      for (let i = 0; i < count; i++) list.push(failure);
      failures.set(method, list);
    },
    callsOf: (method) => calls.filter((c) => c.method === method),
    sentTo: (chatId) => sent.filter((s) => s.chat_id === String(chatId)),
    async waitFor(predicate, timeoutMs = 10_000, what = "condition") {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`fake Telegram API: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    onSent(fn) {
      sentListeners.push(fn);
    },
    get confirmedUpTo() {
      return confirmedUpTo;
    },
    async close() {
      wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    text: (user, text, extra = {}) => ({ update_id: 0, message: privateMessage(user, { text, ...extra }) }) as unknown as Update,
    press: (user, messageId, data, chatId) => {
      const id = `cq-${++pressSeq}-${messageId}`;
      callbacks.set(id, { at: now(), answered: false });
      knownChats.add(String(chatId ?? user.id));
      return {
        update_id: 0,
        callback_query: {
          id,
          from: { id: user.id, is_bot: false, first_name: "Parent", language_code: user.language_code ?? "ru" },
          chat_instance: "ci",
          data,
          // The pressed message as the bot sent it (its current text), like Telegram delivers it.
          message: {
            message_id: messageId,
            date: now(),
            chat: { id: chatId ?? user.id, type: "private", first_name: "Parent" },
            text: sent.find((m) => m.message_id === messageId && m.chat_id === String(chatId ?? user.id))?.text ?? "q",
          },
        },
      } as unknown as Update;
    },
    contact: (user, phone, contactUserId) =>
      ({
        update_id: 0,
        message: privateMessage(user, {
          contact: { phone_number: phone, first_name: "Someone", ...(contactUserId !== undefined ? { user_id: contactUserId } : {}) },
        }),
      }) as unknown as Update,
    message: (user, fields) => ({ update_id: 0, message: privateMessage(user, fields) }) as unknown as Update,
    photo: (user, caption) =>
      ({ update_id: 0, message: privateMessage(user, { photo: [{ file_id: "f", file_unique_id: "u", width: 1, height: 1 }], caption }) }) as unknown as Update,
    edited: (original, text) => ({ update_id: 0, edited_message: { ...original.message, text, edit_date: now() } }) as unknown as Update,
    advanceClock(seconds) {
      clockOffset += seconds;
    },
    visible: (chatId) => [...chatMessages.values()].filter((m) => m.chat_id === String(chatId)).sort((a, b) => a.message_id - b.message_id),
    deleted,
    addChat(chatId) {
      knownChats.add(String(chatId));
    },
    rejected,
    addFile(bytes, opts = {}) {
      const n = files.size + 1;
      const file_id = `file-${n}-${Math.random().toString(36).slice(2, 10)}`;
      const size = opts.declaredSize ?? bytes.length;
      files.set(file_id, { path: `documents/file_${n}.bin`, bytes, size });
      return { file_id, file_size: size };
    },
    fileDownloads,
  };
  return api;
}

