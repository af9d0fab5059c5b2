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
}

/** A message as the fake keeps it for the deletion rules. */
export interface ChatMessage {
  chat_id: string;
  message_id: number;
  /** Unix seconds on the fake's clock. */
  date: number;
  /** Sent by the bot (else by the person). */
  outgoing: boolean;
  text?: string;
}

/** The Bot API lets a bot delete a message only while it is younger than this. */
export const TELEGRAM_DELETE_WINDOW_SECONDS = 48 * 3600;

export const FAKE_BOT = { id: 4242, is_bot: true as const, first_name: "Opora", username: "opora_test_bot" };

/** `record: false` keeps no history of calls and messages (benchmarks); use `onSent` then. */
export async function startFakeTelegramApi(opts: { token?: string; record?: boolean } = {}): Promise<FakeTelegramApi> {
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
    if (res.destroyed) return;
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
    const available = () => updates.filter((u) => u.update_id >= offset).slice(0, limit);
    if (available().length > 0 || timeout <= 0) return ok(res, available());
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeout * 1000);
      waiters.add(done);
      req.on("close", done);
      res.on("close", done);
    });
    ok(res, available());
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
        if (record) keep({ chat_id: message.chat_id, message_id: message.message_id, date: now(), outgoing: true, text: message.text });
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
    press: (user, messageId, data, chatId) =>
      ({
        update_id: 0,
        callback_query: {
          id: `cq-${nextUpdateId}-${messageId}`,
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
      }) as unknown as Update,
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

