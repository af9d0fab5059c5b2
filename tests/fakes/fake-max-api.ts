// A fake MAX Bot API over HTTP on 127.0.0.1, written from the documented protocol: GET /me,
// GET/POST/DELETE /subscriptions, GET /updates (long poll with marker), POST /messages,
// PUT /messages, DELETE /messages, POST /answers, PATCH /me/commands. Errors are `{code, message}` bodies.
// DELETE /messages follows the documented limits: in a dialog only the bot's own messages, at most
// two deletions a second per chat (a faster one gets 429).
// A poll without a marker returns only the latest update, as the real API does.
// It records every call, checks the Authorization header, can fail the next N calls (429/500)
// and can pretend a chat blocked the bot (403). Updates are dropped once a poll's marker
// acknowledges them, so memory stays flat however many updates a benchmark pushes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
}

export interface FakeButton {
  type: string;
  text: string;
  payload?: string;
  url?: string;
}

export interface FakeMessage {
  mid: string;
  chatId: number;
  userId: number;
  text: string;
  attachments: { type: string; payload?: { buttons?: FakeButton[][] } }[];
  timestamp: number;
  /** Whether the message was edited (keyboard removal). */
  edited: boolean;
}

export interface FakeUser {
  userId: number;
  chatId: number;
  firstName?: string;
  locale?: string;
}

export interface FakeMaxApiOptions {
  token: string;
  /** Long-poll wait when the client sends no `timeout` (the real API waits up to 30 s). */
  defaultPollTimeoutMs?: number;
  botUserId?: number;
  /** false: keep no call history and no sent messages (benchmarks); use `onSent` then. */
  record?: boolean;
  /** The platform's limit per bot (MAX: 30 requests/s): above it, 429 `too.many.requests`. Off unless given. */
  requestsPerSecond?: number;
}

export interface FailRule {
  status: number;
  times: number;
  code?: string;
  /** Only calls whose "METHOD /path" matches, e.g. "POST /messages". */
  match?: string;
}

const BOT_USER = (id: number) => ({
  user_id: id,
  first_name: "Опора",
  name: "Опора",
  username: "opora_bot",
  is_bot: true,
  last_activity_time: Date.now(),
});

export class FakeMaxApi {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly answers: { callbackId: string; body: unknown }[] = [];
  readonly subscriptions: { url: string; secret?: string; update_types?: string[] }[] = [];
  commands: unknown[] = [];
  /** Mids removed by DELETE /messages, in order. */
  readonly deletedMids: string[] = [];
  /** Deletion times per chat (the 2-per-second limit). */
  private deletions = new Map<number, number[]>();
  /**
   * Updates not yet acknowledged, oldest first: `updates[head]` has the absolute index `dropped`
   * (the marker counts updates from the start). A poll whose marker is past an update drops it, so
   * memory does not grow with the number of updates.
   */
  private updates: unknown[] = [];
  private head = 0;
  private dropped = 0;
  private waiters = new Set<() => void>();
  private failRules: FailRule[] = [];
  private blocked = new Set<number>();
  private server: Server;
  private midSeq = 0;
  private cbSeq = 0;
  /** Start times of the last second's requests (the opt-in rate limit). */
  private requestTimes: number[] = [];
  /** callback_id → mid of the pressed message (what the real server knows), until answered. */
  private callbackMessages = new Map<string, string>();
  /** Presses already answered (a second answer is refused). */
  private answeredCallbacks = new Set<string>();
  private ts = 1_760_000_000_000;
  baseUrl = "";
  /** Milliseconds added to every response (to simulate a slow network). */
  latencyMs = 0;

  constructor(private readonly opts: FakeMaxApiOptions) {
    this.server = createServer((req, res) => {
      void this.route(req, res);
    });
  }

  /** `port`: listen again on the port of an earlier run (an API that comes back). */
  async listen(atPort = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(atPort, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    // A path prefix with a trailing slash, as the library resolves relative method names.
    this.baseUrl = `http://127.0.0.1:${port}/`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const w of this.waiters) w();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── test controls ──────────────────────────────────────────────────────────

  private sentListeners: ((m: FakeMessage) => void)[] = [];

  /** Calls `fn` for every message the bot sends (works with record: false). */
  onSent(fn: (m: FakeMessage) => void): void {
    this.sentListeners.push(fn);
  }

  failNext(rule: FailRule): void {
    this.failRules.push({ ...rule });
  }

  blockChat(chatId: number): void {
    this.blocked.add(chatId);
  }

  pushUpdate(update: unknown): void {
    this.updates.push(update);
    for (const w of this.waiters) w();
  }

  /** Updates the client has not acknowledged yet (a poll with a marker past them). */
  get pendingUpdates(): number {
    return this.totalUpdates - this.delivered;
  }
  /** Updates ever pushed: the marker after the newest one. */
  private get totalUpdates(): number {
    return this.dropped + this.updates.length - this.head;
  }
  /** Updates still held in memory (acknowledged ones are gone). */
  get retainedUpdates(): number {
    return this.updates.length - this.head;
  }
  private delivered = 0;
  /** Updates skipped because a poll came without a marker (the real API's behaviour). */
  lostUpdates = 0;

  /** Forgets updates before `marker`: the client has them. */
  private dropUpTo(marker: number): void {
    const n = Math.min(marker, this.totalUpdates) - this.dropped;
    if (n <= 0) return;
    for (let i = this.head; i < this.head + n; i += 1) this.updates[i] = undefined;
    this.head += n;
    this.dropped += n;
    // Compact once the dead prefix is large (amortised O(1) per update).
    if (this.head >= 1024 && this.head * 2 >= this.updates.length) {
      this.updates = this.updates.slice(this.head);
      this.head = 0;
    }
  }

  nextTimestamp(): number {
    this.ts += 1000;
    return this.ts;
  }

  callsTo(method: string, path: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.path === path);
  }

  messagesTo(chatId: number): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.chatId === chatId);
  }

  lastMessage(chatId: number): FakeMessage | undefined {
    return this.messagesTo(chatId).at(-1);
  }

  buttonsOf(m: FakeMessage | undefined): FakeButton[] {
    return (m?.attachments ?? []).flatMap((a) =>
      a.type === "inline_keyboard" ? (a.payload?.buttons ?? []).flat() : [],
    );
  }

  // ── realistic update builders ──────────────────────────────────────────────

  userOf(u: FakeUser) {
    return {
      user_id: u.userId,
      first_name: u.firstName ?? "Мария",
      last_name: "Иванова",
      name: u.firstName ?? "Мария",
      username: null,
      is_bot: false,
      last_activity_time: this.ts,
    };
  }

  botStarted(u: FakeUser, payload?: string) {
    return {
      update_type: "bot_started",
      timestamp: this.nextTimestamp(),
      chat_id: u.chatId,
      user: this.userOf(u),
      ...(payload !== undefined ? { payload } : {}),
      user_locale: u.locale ?? "ru",
    };
  }

  botStopped(u: FakeUser) {
    return {
      update_type: "bot_stopped",
      timestamp: this.nextTimestamp(),
      chat_id: u.chatId,
      user: this.userOf(u),
      user_locale: u.locale ?? "ru",
    };
  }

  private incoming(u: FakeUser, text: string | null, attachments: unknown[] | null) {
    const timestamp = this.nextTimestamp();
    return {
      update_type: "message_created",
      timestamp,
      message: {
        sender: this.userOf(u),
        recipient: { chat_id: u.chatId, chat_type: "dialog", user_id: this.opts.botUserId ?? 1000 },
        timestamp,
        body: { mid: `mid.in.${u.chatId}.${++this.midSeq}`, seq: this.midSeq, text, attachments },
      },
      user_locale: u.locale ?? "ru",
    };
  }

  textMessage(u: FakeUser, text: string) {
    return this.incoming(u, text, null);
  }

  /** A shared contact: the phone is only inside the vCard; `ownerUserId` is whose contact it is. */
  contactMessage(u: FakeUser, opts: { phone?: string; ownerUserId?: number; vcf?: string } = {}) {
    const owner = opts.ownerUserId ?? u.userId;
    const vcf =
      opts.vcf ??
      `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Мария Иванова\r\nTEL;TYPE=cell:${opts.phone ?? "79991234567"}\r\nEND:VCARD\r\n`;
    return this.incoming(u, null, [
      {
        type: "contact",
        payload: {
          vcf_info: vcf,
          max_info: { ...this.userOf({ ...u, userId: owner }), user_id: owner },
          hash: `h${owner}`,
        },
      },
    ]);
  }

  imageMessage(u: FakeUser) {
    return this.incoming(u, null, [
      { type: "image", payload: { photo_id: 1, token: "tok", url: "https://i.example/x.jpg" } },
    ]);
  }

  /** A document the person attached (`url` from addFile), with its name and size, maybe a caption. */
  fileMessage(u: FakeUser, url: string, file: { filename: string; size: number }, caption: string | null = null) {
    return this.incoming(u, caption, [{ type: "file", payload: { url, token: `tok${++this.fileSeq}` }, filename: file.filename, size: file.size }]);
  }

  /** A photo the person attached (`url` from addFile). */
  photoMessage(u: FakeUser, url: string, caption: string | null = null) {
    return this.incoming(u, caption, [{ type: "image", payload: { photo_id: ++this.fileSeq, token: "tok", url } }]);
  }

  /** A photo with text under it (MAX puts the caption in body.text). */
  imageWithCaption(u: FakeUser, caption: string) {
    return this.incoming(u, caption, [
      { type: "image", payload: { photo_id: 1, token: "tok", url: "https://i.example/x.jpg" } },
    ]);
  }

  /** The person edited one of their messages (`original` is what textMessage returned). */
  editedMessage(u: FakeUser, original: { message: { body: { mid: string } } }, text: string) {
    const timestamp = this.nextTimestamp();
    return {
      update_type: "message_edited",
      timestamp,
      message: {
        sender: this.userOf(u),
        recipient: { chat_id: u.chatId, chat_type: "dialog", user_id: this.opts.botUserId ?? 1000 },
        timestamp,
        body: { mid: original.message.body.mid, seq: this.midSeq, text, attachments: null },
      },
      user_locale: u.locale ?? "ru",
    };
  }

  /** A button press on a message the bot sent, as MAX delivers it (with the message). */
  callback(u: FakeUser, message: FakeMessage, payload: string, callbackId?: string) {
    const timestamp = this.nextTimestamp();
    const id = callbackId ?? `cb.${++this.cbSeq}`;
    // A press MAX delivers again keeps its callback_id: answered already, it stays answered.
    if (!this.answeredCallbacks.has(id)) this.callbackMessages.set(id, message.mid);
    return {
      update_type: "message_callback",
      timestamp,
      callback: { timestamp, callback_id: id, payload, user: this.userOf(u) },
      message: {
        sender: BOT_USER(this.opts.botUserId ?? 1000),
        recipient: { chat_id: message.chatId, chat_type: "dialog", user_id: u.userId },
        timestamp: message.timestamp,
        body: { mid: message.mid, seq: 1, text: message.text, attachments: message.attachments },
      },
      user_locale: u.locale ?? "ru",
    };
  }

  // ── files a person sent (issue 15.11) ─────────────────────────────────────

  /** Files served at their attachment URL, like MAX's file storage (signed URL, no token). */
  readonly files = new Map<string, { bytes: Buffer; type: string; downloads: number; failures: number }>();
  private fileSeq = 0;

  /** A file a person attached: its `payload.url` for an `image`/`file` attachment. */
  addFile(bytes: Buffer, type = "application/octet-stream", opts: { failures?: number } = {}): string {
    const id = `f${++this.fileSeq}x${Math.random().toString(36).slice(2, 10)}`;
    this.files.set(id, { bytes, type, downloads: 0, failures: opts.failures ?? 0 });
    return `${this.baseUrl}files/${id}`;
  }

  private serveFile(id: string, method: string, res: ServerResponse): void {
    const f = this.files.get(id);
    if (method !== "GET" || !f) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    if (f.failures > 0) {
      f.failures -= 1;
      res.writeHead(503, { "content-type": "text/plain" }).end("unavailable");
      return;
    }
    f.downloads += 1;
    res.writeHead(200, { "content-type": f.type, "content-length": String(f.bytes.length) }).end(f.bytes);
  }

  // ── HTTP ───────────────────────────────────────────────────────────────────

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const path = url.pathname;
    if (path.startsWith("/files/")) return this.serveFile(path.slice(7), method, res);
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(req);
    let body: unknown = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.reply(res, { method, path, query, body: raw }, 400, {
          code: "proto.payload",
          message: "bad json",
        });
      }
    }
    const call = { method, path, query, body };
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (req.headers.authorization !== this.opts.token) {
      return this.reply(res, call, 401, { code: "verify.token", message: "Invalid access_token" });
    }
    const rule = this.failRules.find((r) => r.times > 0 && (!r.match || r.match === `${method} ${path}`));
    if (rule && !(method === "GET" && path === "/updates" && !rule.match)) {
      rule.times -= 1;
      // status 200: the real API's refusal of an action, `{success: false, message}` with HTTP 200.
      if (rule.status === 200) return this.reply(res, call, 200, { success: false, message: rule.code ?? "fake refusal" });
      const code = rule.code ?? (rule.status === 429 ? "too.many.requests" : "internal.error");
      return this.reply(res, call, rule.status, { code, message: `fake failure ${rule.status}` });
    }
    const key = `${method} ${path}`;
    if (this.opts.requestsPerSecond !== undefined && !(method === "GET" && path === "/updates")) {
      const t = Date.now();
      this.requestTimes = this.requestTimes.filter((x) => t - x < 1000);
      if (this.requestTimes.length >= this.opts.requestsPerSecond) {
        return this.reply(res, call, 429, { code: "too.many.requests", message: "Too many requests" });
      }
      this.requestTimes.push(t);
    }
    switch (key) {
      case "GET /me":
        return this.reply(res, call, 200, {
          ...BOT_USER(this.opts.botUserId ?? 1000),
          commands: this.commands,
        });
      case "PATCH /me/commands":
        this.commands = ((body as { commands?: unknown[] } | null)?.commands ?? []) as unknown[];
        return this.reply(res, call, 200, {
          ...BOT_USER(this.opts.botUserId ?? 1000),
          commands: this.commands,
        });
      case "GET /subscriptions":
        return this.reply(res, call, 200, {
          subscriptions: this.subscriptions.map((s) => ({
            url: s.url,
            time: this.ts,
            update_types: s.update_types ?? [],
          })),
        });
      case "POST /subscriptions": {
        const problem = validateSubscription(body);
        if (problem) return this.reply(res, call, 400, { code: "proto.payload", message: problem });
        const b = body as { url: string; secret?: string; update_types?: string[] };
        // One subscription per URL: posting the same URL again replaces it (secret, types).
        const i = this.subscriptions.findIndex((s) => s.url === b.url);
        if (i >= 0) this.subscriptions.splice(i, 1, b);
        else this.subscriptions.push(b);
        return this.reply(res, call, 200, { success: true });
      }
      case "DELETE /subscriptions": {
        if (!query.url) return this.reply(res, call, 400, { code: "proto.payload", message: "url is required" });
        const i = this.subscriptions.findIndex((s) => s.url === query.url);
        if (i < 0) return this.reply(res, call, 200, { success: false, message: "subscription not found" });
        this.subscriptions.splice(i, 1);
        return this.reply(res, call, 200, { success: true });
      }
      case "GET /updates":
        return this.getUpdates(res, call, query);
      case "POST /messages":
        return this.sendMessage(res, call, query, body);
      case "PUT /messages": {
        const m = this.messages.get(query.message_id ?? "");
        if (this.opts.record === false) return this.reply(res, call, 200, { success: true });
        if (!m) return this.reply(res, call, 404, { code: "not.found", message: "message not found" });
        applyEdit(m, body);
        return this.reply(res, call, 200, { success: true });
      }
      case "DELETE /messages": {
        const mid = query.message_id;
        if (!mid) return this.reply(res, call, 400, { code: "proto.payload", message: "message_id is required" });
        // The person's messages are never ours to delete in a dialog.
        if (mid.startsWith("mid.in.")) return this.reply(res, call, 400, { code: "access.denied", message: "bot can delete only its own messages in a dialog" });
        const m = this.messages.get(mid);
        if (!m) return this.reply(res, call, 404, { code: "not.found", message: "message not found" });
        const at = Date.now();
        const recent = (this.deletions.get(m.chatId) ?? []).filter((t) => at - t < 1000);
        if (recent.length >= 2) return this.reply(res, call, 429, { code: "too.many.requests", message: "at most 2 deletions per second in a chat" });
        recent.push(at);
        this.deletions.set(m.chatId, recent);
        this.messages.delete(mid);
        this.deletedMids.push(mid);
        return this.reply(res, call, 200, { success: true });
      }
      case "POST /answers": {
        if (!query.callback_id)
          return this.reply(res, call, 400, { code: "proto.payload", message: "callback_id required" });
        // A press is answered once: the server forgets it with its answer. (The public docs do not
        // name the error; the fake answers in the API's `{code, message}` format.)
        if (this.answeredCallbacks.has(query.callback_id))
          return this.reply(res, call, 400, { code: "callback.answered", message: "callback already answered" });
        // Only a press the server delivered can be answered.
        if (!this.callbackMessages.has(query.callback_id))
          return this.reply(res, call, 404, { code: "not.found", message: "callback not found" });
        const b = body as { message?: unknown; notification?: string } | null;
        if (!b || (b.message == null && b.notification == null)) {
          return this.reply(res, call, 400, {
            code: "proto.payload",
            message: "message or notification required",
          });
        }
        const pressedMid = this.callbackMessages.get(query.callback_id);
        this.callbackMessages.delete(query.callback_id);
        // Benchmarks keep no history: a second answer then gets "callback not found".
        if (this.opts.record === false) return this.reply(res, call, 200, { success: true });
        this.answeredCallbacks.add(query.callback_id);
        this.answers.push({ callbackId: query.callback_id, body });
        if (b.message != null) {
          // Answering with a message replaces the message whose button was pressed.
          const target = this.messages.get(pressedMid ?? "");
          if (target) applyEdit(target, b.message);
        }
        return this.reply(res, call, 200, { success: true });
      }
      default:
        return this.reply(res, call, 404, { code: "not.found", message: `no route ${key}` });
    }
  }

  private async getUpdates(
    res: ServerResponse,
    call: Omit<RecordedCall, "status" | "at">,
    query: Record<string, string>,
  ) {
    if (query.types) {
      for (const t of query.types.split(","))
        if (!MAX_UPDATE_TYPES.has(t)) return this.reply(res, call, 400, { code: "proto.payload", message: `unknown update type ${t}` });
    }
    if (query.marker === undefined && this.totalUpdates - this.delivered > 1) {
      // Like MAX: a poll without a marker gets only the latest update; the older ones are gone.
      const skipped = this.totalUpdates - 1 - this.delivered;
      this.delivered += skipped;
      this.lostUpdates += skipped;
    }
    const marker = query.marker !== undefined ? Number(query.marker) : this.delivered;
    const limit = Math.min(Number(query.limit ?? 100), 1000);
    const timeoutMs =
      query.timeout !== undefined ? Number(query.timeout) * 1000 : (this.opts.defaultPollTimeoutMs ?? 1000);
    // A marker acknowledges everything before it: those updates are dropped.
    this.delivered = Math.max(this.delivered, marker);
    this.dropUpTo(this.delivered);
    if (this.totalUpdates <= marker) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        this.waiters.add(done);
      });
    }
    if (res.destroyed || !this.server.listening) return;
    // Acknowledged updates are gone: an older marker gets what is still held.
    const from = Math.max(marker, this.dropped);
    const start = this.head + (from - this.dropped);
    const batch = this.updates.slice(start, start + limit);
    // Like MAX: only the requested update types are delivered (the marker still moves past the rest).
    const types = query.types ? new Set(query.types.split(",")) : null;
    const updates = types ? batch.filter((u) => types.has(String((u as { update_type?: unknown }).update_type))) : batch;
    return this.reply(res, call, 200, { updates, marker: from + batch.length });
  }

  private sendMessage(
    res: ServerResponse,
    call: Omit<RecordedCall, "status" | "at">,
    query: Record<string, string>,
    body: unknown,
  ) {
    const chatId = Number(query.chat_id ?? query.user_id);
    if (!Number.isFinite(chatId))
      return this.reply(res, call, 400, { code: "proto.payload", message: "chat_id or user_id required" });
    if (this.blocked.has(chatId))
      return this.reply(res, call, 403, { code: "chat.denied", message: "chat.denied: dialog.suspended" });
    const b = (body ?? {}) as { text?: string; attachments?: FakeMessage["attachments"] };
    const problem = validateOutgoing(b);
    if (problem) return this.reply(res, call, 400, { code: "proto.payload", message: problem });
    const mid = `mid.out.${chatId}.${++this.midSeq}`;
    const timestamp = this.nextTimestamp();
    const msg: FakeMessage = {
      mid,
      chatId,
      userId: chatId,
      text: b.text ?? "",
      attachments: b.attachments ?? [],
      timestamp,
      edited: false,
    };
    if (this.opts.record !== false) this.messages.set(mid, msg);
    for (const fn of this.sentListeners) fn(msg);
    return this.reply(res, call, 200, {
      message: {
        sender: BOT_USER(this.opts.botUserId ?? 1000),
        recipient: { chat_id: chatId, chat_type: "dialog", user_id: null },
        timestamp,
        body: { mid, seq: this.midSeq, text: msg.text, attachments: msg.attachments },
      },
    });
  }

  private reply(
    res: ServerResponse,
    call: Omit<RecordedCall, "status" | "at">,
    status: number,
    data: unknown,
  ) {
    if (this.opts.record !== false) this.calls.push({ ...call, status, at: Date.now() });
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(data));
  }
}

function applyEdit(m: FakeMessage, body: unknown) {
  const b = (body ?? {}) as { text?: string | null; attachments?: FakeMessage["attachments"] | null };
  if (typeof b.text === "string") m.text = b.text;
  if (Array.isArray(b.attachments)) m.attachments = b.attachments;
  m.edited = true;
}

/** The documented limits: text ≤ 4000, ≤ 30 rows, ≤ 7 per row (≤ 3 with link/contact), payload ≤ 1024. */
function validateOutgoing(b: { text?: string; attachments?: FakeMessage["attachments"] }): string | null {
  // A message is its text or its attachments: one with neither is refused.
  if ((b.text ?? "").trim().length === 0 && (b.attachments ?? []).length === 0) return "text: message is empty";
  if ((b.text ?? "").length > 4000) return "text: length must be less than 4000";
  for (const a of b.attachments ?? []) {
    if (a.type !== "inline_keyboard") continue;
    const rows = a.payload?.buttons ?? [];
    if (rows.length > 30) return "keyboard: too many rows";
    for (const row of rows) {
      const special = row.some((x) => x.type === "link" || x.type === "request_contact");
      if (row.length > (special ? 3 : 7)) return "keyboard: too many buttons in row";
      for (const x of row) {
        const button = x as { type?: unknown; text?: unknown; payload?: unknown; url?: unknown };
        if (!BUTTON_TYPES.has(String(button.type))) return `keyboard: unknown button type ${String(button.type)}`;
        if (typeof button.text !== "string" || button.text.length === 0) return "keyboard: button text is required";
        if (button.text.length > 128) return "keyboard: button text too long";
        if (button.type === "callback" && (typeof button.payload !== "string" || button.payload.length === 0)) return "keyboard: callback button payload is required";
        if (button.type === "link" && (typeof button.url !== "string" || !/^https?:\/\//.test(button.url))) return "keyboard: link button url is invalid";
        if ((x.payload ?? "").length > 1024) return "keyboard: payload too long";
      }
    }
  }
  return null;
}

/** Button types of the public schema (Button: callback, link, request_contact, request_geo_location, chat, message, open_app). */
const BUTTON_TYPES = new Set(["callback", "link", "request_contact", "request_geo_location", "chat", "message", "open_app"]);

/** Update types the public API knows (a subscription or poll naming another is refused). */
export const MAX_UPDATE_TYPES = new Set([
  "message_created", "message_callback", "message_edited", "message_removed", "bot_added", "bot_removed",
  "user_added", "user_removed", "bot_started", "bot_stopped", "chat_title_changed",
  "message_construction_request", "message_constructed", "message_chat_created",
  "dialog_muted", "dialog_unmuted", "dialog_cleared", "dialog_removed",
]);

/** POST /subscriptions as documented: an https URL, a secret of 5–256 [A-Za-z0-9_-], known types. */
function validateSubscription(body: unknown): string | null {
  const b = body as { url?: unknown; secret?: unknown; update_types?: unknown } | null;
  if (!b || typeof b.url !== "string") return "url is required";
  let url: URL;
  try {
    url = new URL(b.url);
  } catch {
    return "url is invalid";
  }
  if (url.protocol !== "https:") return "url must be https";
  if (url.port !== "" && url.port !== "443") return "only port 443 is supported";
  if (b.secret !== undefined && (typeof b.secret !== "string" || !/^[a-zA-Z0-9_-]{5,256}$/.test(b.secret)))
    return "secret must match ^[a-zA-Z0-9_-]{5,256}$";
  if (b.update_types !== undefined) {
    if (!Array.isArray(b.update_types)) return "update_types must be an array";
    for (const t of b.update_types) if (!MAX_UPDATE_TYPES.has(String(t))) return `unknown update type ${String(t)}`;
  }
  return null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeMaxApi(opts: FakeMaxApiOptions): Promise<FakeMaxApi> {
  const api = new FakeMaxApi(opts);
  await api.listen();
  return api;
}
