// The MAX channel: MAX updates → dialog events, dialog replies → MAX API calls. Nothing else:
// the dialog, consent and routing live in the dialog service.
// Per update the channel reads its conversation row (locale, blockedAt, channelData) and writes
// channelData back: one statement each. The text of the current question lives in a bounded in-memory
// cache only; the message id is in channelData, so a restarted bot still removes the right buttons.
import { Bot, MaxError } from "@maxhub/max-bot-api";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import type {
  DialogService,
  HandleResult,
  InboundContext,
  InboundEvent,
} from "../../dialog/service-types.ts";
import type { FamilyMessenger } from "../../handoff/family-messages.ts";
import { issueCenterChatCode, linkStaffAccount, takeFromChat } from "../../handoff/linking.ts";
import { type I18n, type Locale, pickLocale } from "../../i18n/i18n.ts";
import type { Logger } from "../../logging/logger.ts";
import { logForUpdate, type UpdateLog } from "../../logging/update-log.ts";
import { type ChatQueue, createChatQueue } from "../chat-queue.ts";
import { createInboundJournal } from "../inbound-journal.ts";
import type { OutboundPriority } from "../outbound-limiter.ts";
import { createReplyDelivery, type ReplyAttempt, type ReplyPayload, type ReplySend } from "../../outbox/reply-delivery.ts";
import type { Sender } from "../../outbox/outbox.ts";
import type { ChatClaimsFactory } from "../../cluster/chat-claims.ts";
import { sameQuestion } from "../same-question.ts";
import { createUndiciFetch, type FetchFn } from "../http-transport.ts";
import { createOutbound, maxBotLimiter, type Outbound, OutboundError, type OutboundOptions } from "./max-outbound.ts";
import { createMaxPolling } from "./max-polling.ts";
import type { Leadership } from "../../cluster/election.ts";
import { type MaxButton, type OutboundMessage, renderReplies } from "./max-render.ts";
import { HIDE_CANCEL, HIDE_CONFIRM, MENU_PAYLOAD_PREFIX, type TranslatedUpdate, translateUpdate } from "./max-updates.ts";

export type MaxMode =
  | { type: "polling" }
  /** `url` (public HTTPS address of the webhook route), when set, is registered on start. */
  | { type: "webhook"; secret: string; url?: string };

export interface MaxChannelDeps {
  token: string;
  /** API base URL; a path prefix needs a trailing slash. */
  baseUrl?: string;
  /** HTTP transport of the API calls (default: undici with keep-alive, see http-transport.ts). */
  fetch?: FetchFn;
  service: DialogService;
  db: Db;
  log: Logger;
  i18n: I18n;
  mode: MaxMode;
  outbound?: OutboundOptions;
  /** Append the help / withdrawal row to the last message of every answer (default true). */
  menuRow?: boolean;
  /** Polling: updates accepted but not yet applied before the next poll waits (default 1000). */
  maxInFlight?: number;
  /** Polling: long-poll wait in seconds (default 30) and backoff after a failed poll. */
  polling?: { timeoutSeconds?: number; minRetryMs?: number; maxRetryMs?: number; leadership?: Leadership };
  /** Webhook mode on several instances: a chat's updates are applied by whichever instance holds its claim (src/cluster/chat-claims.ts). */
  chatClaims?: ChatClaimsFactory;
  /** Told when polling stops working and when it works again (the channel's state on /readyz). */
  onState?: (state: "up" | "down", err?: unknown) => void;
  /** Set the bot's command list on start (best effort; default true). */
  setCommands?: boolean;
  now?: () => Date;
  /** Tells the family when an operator takes their request from the operators' chat. */
  family?: FamilyMessenger;
  /**
   * Chats whose current question (id and text, ≈1 KB) is kept in memory, most recent first
   * (default 2000). For the others the id comes from channelData and the keyboard is removed
   * without re-sending the text, as after a restart.
   */
  maxCachedQuestions?: number;
  /** Quick exit: deletions per second in one chat (MAX allows 2). */
  deletesPerSecond?: number;
}

export interface MaxChannel {
  start(): Promise<void>;
  /** Stops receiving, then waits for in-flight updates and outbound calls. */
  stop(): Promise<void>;
  /** Processes one update (tests); resolves when it has been applied and answered. */
  handleUpdate(update: unknown): Promise<void>;
  /**
   * Journals the update and queues it; resolves once it is stored, before it is processed (the
   * webhook answers MAX then). Rejects when it cannot be stored.
   */
  accept(update: unknown): Promise<void>;
  /** Resolves when every update accepted so far has been applied and answered (tests, benchmarks). */
  idle(): Promise<void>;
  /** The outbox worker's sender for this channel's dialog replies (src/outbox/reply-delivery.ts). */
  readonly replySender: Sender;
  /** Keeps the mids of messages sent to a family's chat outside the dialog (operators' replies), for /hide. */
  rememberSent(chatId: string, mids: readonly string[]): Promise<void>;
  /** False before start and after stop: the webhook answers 503 so MAX delivers the update again later. */
  readonly accepting: boolean;
  readonly bot: Bot;
}

const CHANNEL = "max";
// message_edited too: an edit can carry danger, and every free text is screened (issue 11).
const UPDATE_TYPES = ["message_created", "message_edited", "message_callback", "bot_started", "bot_stopped"] as const;

const channelDataSchema = z.looseObject({
  questionMid: z.string().optional(),
  /** [mid, epoch ms] of the bot's recent messages in this dialog, for the quick exit (ids only). */
  sent: z.array(z.tuple([z.string(), z.number()])).optional(),
});
type ChannelData = z.infer<typeof channelDataSchema>;

/** Bot messages remembered per dialog for the quick exit. */
const SENT_LIMIT = 300;

function addSent(sent: ChannelData["sent"], mids: readonly string[], at: number): NonNullable<ChannelData["sent"]> {
  return [...(sent ?? []), ...mids.map((mid): [string, number] => [mid, at])].slice(-SENT_LIMIT);
}

/** channelData as stored; unreadable data counts as empty (and is replaced on the next write). */
function parseChannelData(json: string | undefined): ChannelData {
  try {
    const parsed = channelDataSchema.safeParse(JSON.parse(json ?? "{}"));
    if (parsed.success) return parsed.data;
  } catch {
    // unreadable channelData is replaced
  }
  return {};
}

/** What the channel reads of its conversation row on each update. */
interface ConversationRow {
  locale: string;
  blockedAt: Date | null;
  channelData: string;
}

/** The message whose buttons belong to the current question, so they can be removed once answered. */
interface QuestionRef {
  mid: string;
  /** Kept in memory only: the API edit needs the text, and texts never go to channelData. */
  text?: string;
}

/** What sending a step's replies needs besides them: which event, which press. */
interface ReplyMeta {
  event?: InboundEvent["type"];
  /** The messenger's language hint (user_locale), for a chat without a conversation. */
  hint?: string;
  callback?: { id: string; messageMid?: string; messageText?: string };
  /** The update answered something beside the dialog: the open question keeps its buttons. */
  aside?: boolean;
}

/** Events that answer the current question (its buttons become stale afterwards). */
const ANSWERS = new Set<InboundEvent["type"]>(["text", "option", "contact", "start"]);

const HANDLE_ATTEMPTS = 3;

/** MAX answered HTTP 200 with `success: false`: the action did not happen. */
export class MaxActionRefused extends Error {
  constructor(readonly action: string) {
    super(`MAX refused ${action} (success: false)`);
    this.name = "MaxActionRefused";
  }
}

export function createMaxChannel(deps: MaxChannelDeps): MaxChannel {
  const { service, db, log, i18n, mode } = deps;
  const now = deps.now ?? (() => new Date());
  const bot = new Bot(deps.token, {
    clientOptions: { ...(deps.baseUrl ? { baseUrl: deps.baseUrl } : {}), fetch: deps.fetch ?? createUndiciFetch() },
  });
  const api = bot.api;
  // The bot's one rate limiter in this process, shared with the outbox worker's sender.
  const out: Outbound = createOutbound(log, deps.outbound, maxBotLimiter({ token: deps.token, baseUrl: deps.baseUrl }, deps.outbound?.ratePerSecond));
  const queue: ChatQueue = createChatQueue();
  const journal = createInboundJournal(db, log, CHANNEL);
  // A step's replies: committed with it in the outbox, sent at once, retried by the outbox worker.
  const replyDelivery = createReplyDelivery({
    db,
    log,
    channel: CHANNEL,
    clock: now,
    send: (chatId, payload, how) => sendReplies(chatId, payload, how),
    inChat: (chatId, task) => queue.run(chatId, task),
  });
  /** Journal rows a dialog step already cleared (or kept for its retry): not deleted again. */
  const journalCleared = new Set<string>();
  // Several instances in webhook mode: the journal is the per-chat queue, applied under a chat claim in arrival order.
  const claims = deps.chatClaims?.({
    order: "arrival",
    apply: async (raw) => {
      const t = translateUpdate(raw);
      const updateType = typeof raw === "object" && raw !== null ? String((raw as { update_type?: unknown }).update_type) : "unknown";
      await dispatch(t, logForUpdate(log, { channel: CHANNEL, updateType, chatId: "chatId" in t ? t.chatId : undefined }));
    },
  });
  // Least recently used first: bounded, so memory does not grow with finished conversations.
  const questions = new Map<string, QuestionRef>();
  const maxCachedQuestions = deps.maxCachedQuestions ?? 2000;
  let stopping = false;
  let accepting = false;

  // Polled updates are handed to their chat queues and the poll goes on, so one slow chat never
  // holds up the others, up to `maxInFlight` unfinished updates; beyond that the poll waits
  // (backpressure). Delivery resolves (and the stored marker may move past the update) only once
  // the update is in the inbound journal; if it cannot be stored, the marker stays and the batch
  // is asked for again.
  const maxInFlight = deps.maxInFlight ?? 1000;
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  async function deliverPolled(update: unknown): Promise<void> {
    const { done } = await accept(update);
    inFlight += 1;
    void done.finally(() => {
      inFlight -= 1;
      waiters.shift()?.();
    });
    if (inFlight >= maxInFlight) await new Promise<void>((r) => waiters.push(r));
  }
  // The project's own polling loop (max-polling.ts); the library is used for the API calls only.
  const poller = createMaxPolling({
    db,
    log,
    channel: CHANNEL,
    // As strings: the library drops falsy query values, and `marker=0` / `timeout=0` must be sent.
    getUpdates: ({ marker, timeout, limit, signal }) =>
      api.getUpdates([...UPDATE_TYPES], {
        ...(marker !== undefined ? { marker: String(marker) as unknown as number } : {}),
        timeout: String(timeout) as unknown as number,
        limit,
        signal,
      }),
    deliver: deliverPolled,
    // A new elected poller (several instances) first replays what the last one had not applied.
    onTakeover: () => journal.replay((update) => void handleUpdate(update)),
    ...deps.polling,
    ...(deps.onState ? { onState: deps.onState } : {}),
  });

  // Stable codes only: error messages of lower layers may quote data (texts, phones).
  function errInfo(err: unknown) {
    if (err instanceof OutboundError) return { kind: err.kind, status: err.status, code: err.code };
    if (err instanceof MaxError) return { kind: "max", status: err.status, code: err.code };
    if (err instanceof Error) return { kind: err.name, code: (err as { code?: unknown }).code };
    return { kind: typeof err };
  }

  const label = (locale: Locale, key: string) => i18n.t(locale, key);

  function menuRow(locale: Locale): MaxButton[] | undefined {
    if (deps.menuRow === false) return undefined;
    return [
      { type: "callback", text: label(locale, "max-menu-help"), payload: `${MENU_PAYLOAD_PREFIX}help` },
      { type: "callback", text: label(locale, "max-menu-revoke"), payload: `${MENU_PAYLOAD_PREFIX}revoke` },
    ];
  }

  function loadConversation(chatId: string): Promise<ConversationRow | undefined> {
    return db.conversation
      .findUnique({
        where: { channel_chatId: { channel: CHANNEL, chatId } },
        select: { locale: true, blockedAt: true, channelData: true },
      })
      .then((row) => row ?? undefined);
  }

  /** One UPDATE of this chat's row. */
  async function updateConversation(chatId: string, data: { blockedAt: Date | null } | { channelData: string }) {
    // channelData (every answer): one statement (Prisma wraps an updateMany of a model with @updatedAt in a transaction).
    if ("channelData" in data) {
      await db.$executeRaw`UPDATE "Conversation" SET "channelData" = ${data.channelData}, "updatedAt" = ${now()} WHERE "channel" = ${CHANNEL} AND "chatId" = ${chatId}`;
      return;
    }
    await db.conversation.updateMany({ where: { channel: CHANNEL, chatId }, data });
  }

  async function markBlocked(chatId: string) {
    await updateConversation(chatId, { blockedAt: now() });
  }

  function rememberQuestion(chatId: string, ref: QuestionRef | undefined) {
    questions.delete(chatId);
    if (!ref) return;
    questions.set(chatId, ref);
    if (questions.size > maxCachedQuestions) {
      const oldest = questions.keys().next().value;
      if (oldest !== undefined) questions.delete(oldest);
    }
  }

  async function saveQuestion(chatId: string, ref: QuestionRef | undefined, stored: ChannelData) {
    rememberQuestion(chatId, ref);
    const data: Record<string, unknown> = { ...stored };
    if (ref) data.questionMid = ref.mid;
    else delete data.questionMid;
    await updateConversation(chatId, { channelData: JSON.stringify(data) });
  }

  function currentQuestion(chatId: string, stored: ChannelData): QuestionRef | undefined {
    const mem = questions.get(chatId);
    if (mem) {
      rememberQuestion(chatId, mem);
      return mem;
    }
    return stored.questionMid ? { mid: stored.questionMid } : undefined;
  }

  /** Removes the buttons of an answered question by editing the message. Never fatal. */
  async function removeKeyboard(chatLog: UpdateLog, ref: QuestionRef, priority?: OutboundPriority) {
    try {
      const body = ref.text !== undefined ? { text: ref.text, attachments: [] } : { attachments: [] };
      await checked("edit", () => api.editMessage(ref.mid, body), priority);
    } catch (err) {
      chatLog.warn({ err: errInfo(err) }, "max keyboard removal failed");
    }
  }

  // Presses already answered (MAX may deliver a press again): answered once. Bounded, oldest out.
  const answeredCallbacks = new Set<string>();
  // Presses whose answer MAX refused here: a re-delivery tries again. Bounded, oldest out.
  const refusedCallbacks = new Set<string>();
  const remember = (set: Set<string>, id: string) => {
    set.add(id);
    if (set.size > 5000) {
      const oldest = set.values().next().value;
      if (oldest !== undefined) set.delete(oldest);
    }
  };
  /** Answers a press once; `success: false` is logged as a failure, not taken for an answer. */
  async function answerOnce(chatLog: UpdateLog, id: string, extra: Parameters<typeof api.answerOnCallback>[1], priority?: OutboundPriority): Promise<boolean> {
    if (answeredCallbacks.has(id)) {
      chatLog.debug("max callback already answered");
      return false;
    }
    try {
      await checked("answer", () => api.answerOnCallback(id, extra), priority);
      remember(answeredCallbacks, id);
      refusedCallbacks.delete(id);
      return true;
    } catch (err) {
      chatLog.warn({ err: errInfo(err) }, "max callback answer failed");
      remember(refusedCallbacks, id);
      return false;
    }
  }

  /** Always answers a callback (MAX shows a spinner until then). */
  async function answerCallback(
    chatLog: UpdateLog,
    callback: { id: string; messageText?: string },
    how: "clear" | "notify",
    locale: Locale,
    priority?: OutboundPriority,
  ) {
    try {
      // Answering with a replacement message removes the pressed keyboard in the same call.
      const extra =
        how === "clear" && callback.messageText !== undefined
          ? { message: { text: callback.messageText, attachments: [] } }
          : { notification: i18n.t(locale, "max-callback-received") };
      await answerOnce(chatLog, callback.id, extra as Parameters<typeof api.answerOnCallback>[1], priority);
    } catch (err) {
      chatLog.warn({ err: errInfo(err) }, "max callback answer failed");
    }
  }

  async function send(chatLog: UpdateLog, chatId: string, messages: OutboundMessage[], priority?: OutboundPriority): Promise<string[]> {
    const mids: string[] = [];
    for (const m of messages) {
      const sent = await out.call("send", () =>
        api.sendMessageToChat(
          Number(chatId),
          m.text,
          m.attachments.length > 0 ? { attachments: m.attachments } : {},
        ),
        priority,
      );
      mids.push(sent.body.mid);
    }
    chatLog.debug({ count: mids.length }, "max messages sent");
    return mids;
  }

  async function handleWithRetry(
    ctx: InboundContext,
    event: InboundEvent,
    chatLog: UpdateLog,
  ): Promise<HandleResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await service.handle(ctx, event);
      } catch (err) {
        // Safe to repeat: the service records the update key in the same transaction as its effect.
        if (attempt >= HANDLE_ATTEMPTS) throw err;
        chatLog.warn({ err: errInfo(err), attempt }, "dialog service failed, retrying");
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  async function processEvent(t: Extract<TranslatedUpdate, { type: "event" }>, chatLog: UpdateLog) {
    // What sending the replies needs besides them (kept with them in the outbox for a retry).
    const meta: ReplyMeta = {
      event: t.event.type,
      ...(t.locale ? { hint: t.locale } : {}),
      ...(t.callback
        ? { callback: { id: t.callback.id, ...(t.callback.messageMid ? { messageMid: t.callback.messageMid } : {}), ...(t.callback.messageText !== undefined ? { messageText: t.callback.messageText } : {}) } }
        : {}),
    };
    const queued = replyDelivery.backlogged(t.chatId);
    const ctx: InboundContext = {
      channel: CHANNEL,
      chatId: t.chatId,
      userId: t.userId,
      updateKey: t.updateKey,
      ...(t.locale ? { locale: t.locale } : {}),
      ...(t.messageId ? { messageId: t.messageId } : {}),
      delivery: { journalKeys: [t.updateKey], meta, queued },
    };
    let result: HandleResult | undefined;
    try {
      result = await handleWithRetry(ctx, t.event, chatLog);
    } catch (err) {
      chatLog.error({ err: errInfo(err), eventType: t.event.type }, "dialog service failed");
    }
    if (result?.type === "handled") {
      // Cleared in the step's transaction, or kept for a retry of a failed step.
      if (result.deliveryId !== undefined || result.failed) journalCleared.add(t.updateKey);
      const payload: ReplyPayload = { replies: result.replies, ...(result.locale ? { locale: result.locale } : {}), meta: { ...meta, ...(result.aside ? { aside: true } : {}) } };
      // Over the bot's 30 requests/s, a P0 family's replies and the emergency numbers go first.
      const priority = result.urgent ? "urgent" : "reply";
      const deliveryId = result.deliveryId;
      // Committed with the step (outbox): sent now, or by the outbox worker after earlier replies.
      // Queued behind the chat's undelivered replies: the outbox worker sends it (sending it here too sent it twice).
      if (deliveryId !== undefined) return queued ? undefined : replyDelivery.deliverNow(t.chatId, deliveryId, payload, priority);
      if (!queued) await sendReplies(t.chatId, payload, { retry: false, priority });
      return;
    }
    // The service failed: the press is still answered (the spinner stops). Applied before (a
    // re-delivery): its step's replies answered it, in this process or before a restart, and MAX
    // refuses a second answer; only an answer MAX refused here is tried again.
    const conv = await loadConversation(t.chatId);
    const locale = conv ? pickLocale(conv.locale) : pickLocale(t.locale);
    const stored = parseChannelData(conv?.channelData);
    const current = currentQuestion(t.chatId, stored);
    let questionCleared = false;
    if (t.callback && (!result || refusedCallbacks.has(t.callback.id))) {
      const isOption = t.event.type === "option";
      await answerCallback(chatLog, t.callback, isOption ? "clear" : "notify", locale);
      if (isOption && t.callback.messageText !== undefined && current?.mid === t.callback.messageMid) questionCleared = true;
    }
    if (!result) {
      await send(chatLog, t.chatId, [{ text: i18n.t(locale, "max-error-generic"), attachments: [] }]).catch(() => undefined);
      return;
    }
    chatLog.info({ eventType: t.event.type }, "max update already applied");
    if (questionCleared) await saveQuestion(t.chatId, undefined, stored);
  }

  /**
   * Sends one step's replies (the fast path right after the step, or the outbox worker's retry):
   * answers the press (replacing the question in place when the step re-renders it), removes the
   * answered question's buttons, sends the messages not yet sent, and remembers their ids.
   */
  async function sendReplies(chatId: string, payload: ReplyPayload, how: Parameters<ReplySend>[2]): Promise<ReplyAttempt> {
    const meta = (payload.meta ?? {}) as ReplyMeta;
    const chatLog = logForUpdate(log, { channel: CHANNEL, chatId, retry: how.retry });
    const conv = await loadConversation(chatId);
    const locale = pickLocale(payload.locale ?? conv?.locale ?? meta.hint);
    const stored = parseChannelData(conv?.channelData);
    const current = currentQuestion(chatId, stored);
    const already = payload.sent ?? 0;
    let questionCleared = false;
    // A press that re-renders the same question (a topic ticked in a multi-select, another page of
    // topics) replaces the pressed message in place: the callback answer carries the new keyboard,
    // so the chat keeps one copy of the question and it costs no extra call.
    const pressed = how.retry ? undefined : meta.callback;
    if (pressed?.messageMid && pressed.messageText !== undefined && meta.event === "option" && current?.mid === pressed.messageMid) {
      const row = menuRow(locale);
      const { messages, dropped } = renderReplies(payload.replies, row ? { menuRow: row } : {});
      const only = messages.length === 1 ? messages[0] : undefined;
      if (only && only.attachments.length > 0 && sameQuestion(only.text, pressed.messageText)) {
        if (dropped > 0) chatLog.warn({ dropped }, "max buttons dropped to fit limits");
        const replaced = await answerOnce(chatLog, pressed.id, { message: { text: only.text, attachments: only.attachments } } as Parameters<typeof api.answerOnCallback>[1], how.priority);
        if (replaced) {
          if (conv?.blockedAt) await updateConversation(chatId, { blockedAt: null });
          rememberQuestion(chatId, { mid: pressed.messageMid, text: only.text });
          return { type: "sent" };
        }
      }
    }
    if (pressed) {
      const isOption = meta.event === "option";
      await answerCallback(chatLog, pressed, isOption ? "clear" : "notify", locale, how.priority);
      if (isOption && pressed.messageText !== undefined && current?.mid === pressed.messageMid) {
        questionCleared = true;
      }
    }
    if (conv?.blockedAt) await updateConversation(chatId, { blockedAt: null });
    const row = menuRow(locale);
    const { messages, dropped, empty } = renderReplies(payload.replies, row ? { menuRow: row } : {});
    if (dropped > 0) chatLog.warn({ dropped }, "max buttons dropped to fit limits");
    if (empty > 0) chatLog.error({ empty }, "max reply with an empty text not sent");
    const asksQuestion = payload.replies.some(
      (r) => r.type === "requestContact" || (r.type === "text" && ((r.options?.length ?? 0) > 0 || r.link)),
    );
    // The previous question's buttons go away once it is answered or superseded by a new one.
    // A press beside the dialog (a rating under a closing message) leaves the open question alone.
    if (current && already === 0 && !meta.aside && !questionCleared && messages.length > 0 && ((meta.event && ANSWERS.has(meta.event)) || asksQuestion)) {
      await removeKeyboard(chatLog, current, how.priority);
      questionCleared = true;
    }
    const toSend = messages.slice(already);
    const mids: string[] = [];
    let outcome: ReplyAttempt = { type: "sent" };
    try {
      for (const [i, m] of toSend.entries()) {
        mids.push(...(await send(chatLog, chatId, [m], how.priority)));
        // Recorded before the next message waits for its budget (a crash re-sends as little as possible).
        await how.wentOut?.(i + 1, already + i + 1 === messages.length);
      }
    } catch (err) {
      if (err instanceof OutboundError && err.kind === "blocked") {
        chatLog.info("max chat blocked the bot");
        await markBlocked(chatId);
        outcome = { type: "blocked", code: "BLOCKED" };
      } else if (err instanceof OutboundError && err.kind === "rejected") {
        chatLog.error({ err: errInfo(err) }, "max reply refused");
        outcome = { type: "failed", code: `HTTP_${err.status ?? "?"}` };
      } else {
        chatLog.warn({ err: errInfo(err), sent: mids.length }, "max reply not delivered; the outbox retries it");
        outcome = { type: "retry", code: err instanceof OutboundError ? `HTTP_${err.status ?? "?"}` : "NETWORK", sent: mids.length };
      }
    }
    // Remember the last message that carries buttons (question or menu).
    let ref: QuestionRef | undefined;
    for (let i = mids.length - 1; i >= 0; i -= 1) {
      const m = toSend[i];
      const mid = mids[i];
      if (m && mid && m.attachments.length > 0) {
        ref = { mid, text: m.text };
        break;
      }
    }
    const data: ChannelData = mids.length > 0 ? { ...stored, sent: addSent(stored.sent, mids, now().getTime()) } : stored;
    if (ref) await saveQuestion(chatId, ref, data);
    else if (questionCleared) await saveQuestion(chatId, undefined, data);
    else if (mids.length > 0) await updateConversation(chatId, { channelData: JSON.stringify(data) });
    return outcome;
  }

  /**
   * Quick exit for a shared phone (issue 12). `/hide` (or the menu's «Скрыть переписку») says what
   * will and will not disappear and asks once. Confirmed, the prompt itself becomes the neutral line
   * (the callback answer replaces it), then the bot's other messages we know of are deleted, newest
   * first, within MAX's two deletions a second per chat. MAX lets a bot delete only its own messages
   * in a dialog; the person's stay (the prompt says so). The dialog state and the request stay.
   */
  async function processHide(t: Extract<TranslatedUpdate, { type: "hide" }>, chatLog: UpdateLog) {
    const conv = await loadConversation(t.chatId);
    const locale = conv ? pickLocale(conv.locale) : pickLocale(t.locale);
    const stored = parseChannelData(conv?.channelData);
    if (t.stage === "ask") {
      if (t.callback) await answerCallback(chatLog, t.callback, "notify", locale);
      const prompt: OutboundMessage = {
        text: i18n.t(locale, "max-hide-ask"),
        attachments: [
          {
            type: "inline_keyboard",
            payload: {
              buttons: [
                [{ type: "callback", text: label(locale, "max-hide-confirm"), payload: HIDE_CONFIRM }],
                [{ type: "callback", text: label(locale, "max-hide-cancel"), payload: HIDE_CANCEL }],
              ],
            },
          },
        ],
      };
      const mids = await send(chatLog, t.chatId, [prompt]);
      if (conv) await updateConversation(t.chatId, { channelData: JSON.stringify({ ...stored, sent: addSent(stored.sent, mids, now().getTime()) }) });
      return;
    }
    const promptMid = t.callback?.messageMid;
    if (t.stage === "cancel") {
      if (t.callback) await answerOnce(chatLog, t.callback.id, { notification: i18n.t(locale, "max-hide-cancelled") } as Parameters<typeof api.answerOnCallback>[1]);
      if (promptMid) await checked("delete", () => api.deleteMessage(promptMid)).catch((err: unknown) => chatLog.debug({ err: errInfo(err) }, "max hide prompt not deleted"));
      return;
    }
    const neutral = i18n.t(locale, "max-hide-neutral");
    if (t.callback && promptMid) {
      await answerOnce(chatLog, t.callback.id, { message: { text: neutral, attachments: [] } } as Parameters<typeof api.answerOnCallback>[1]);
    } else {
      if (t.callback) await answerCallback(chatLog, t.callback, "notify", locale);
      await send(chatLog, t.chatId, [{ text: neutral, attachments: [] }]);
    }
    const toDelete = [...new Set((stored.sent ?? []).map(([mid]) => mid))].filter((mid) => mid !== promptMid).reverse();
    const gapMs = Math.ceil(1000 / (deps.deletesPerSecond ?? 2)) + 20;
    let deleted = 0;
    let failed = 0;
    for (const [i, mid] of toDelete.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
      try {
        await checked("delete", () => api.deleteMessage(mid));
        deleted += 1;
      } catch {
        failed += 1; // already gone, or too old for MAX: the others still go
      }
    }
    chatLog.info({ deleted, failed }, "max quick exit");
    rememberQuestion(t.chatId, undefined);
    const rest: ChannelData = { ...stored, sent: promptMid ? [[promptMid, now().getTime()]] : [] };
    delete rest.questionMid;
    if (conv) await updateConversation(t.chatId, { channelData: JSON.stringify(rest) });
  }

  async function processMenu(t: Extract<TranslatedUpdate, { type: "menu" }>, chatLog: UpdateLog) {
    const conv = await loadConversation(t.chatId);
    const locale = conv ? pickLocale(conv.locale) : pickLocale(t.locale);
    if (t.callback) await answerCallback(chatLog, t.callback, "notify", locale);
    const p = (name: string) => `${MENU_PAYLOAD_PREFIX}${name}`;
    const keyboard: OutboundMessage = {
      text: i18n.t(locale, "max-menu-title"),
      attachments: [
        {
          type: "inline_keyboard",
          payload: {
            buttons: [
              [{ type: "callback", text: label(locale, "max-menu-help"), payload: p("help") }],
              [{ type: "callback", text: label(locale, "max-menu-status"), payload: p("status") }],
              [{ type: "callback", text: label(locale, "max-menu-lang"), payload: p("lang") }],
              [{ type: "callback", text: label(locale, "max-menu-revoke"), payload: p("revoke") }],
              [{ type: "callback", text: label(locale, "max-menu-hide"), payload: p("hide") }],
            ],
          },
        },
      ],
    };
    const mids = await send(chatLog, t.chatId, [keyboard]);
    if (conv) {
      const stored = parseChannelData(conv.channelData);
      await updateConversation(t.chatId, { channelData: JSON.stringify({ ...stored, sent: addSent(stored.sent, mids, now().getTime()) }) });
    }
  }

  async function dispatch(t: TranslatedUpdate, chatLog: UpdateLog): Promise<void> {
    switch (t.type) {
      case "event":
        return processEvent(t, chatLog);
      case "menu":
        return processMenu(t, chatLog);
      case "hide":
        return processHide(t, chatLog);
      case "stopped":
        chatLog.info("max bot stopped by the person");
        return markBlocked(t.chatId);
      case "groupLink": {
        const code = await issueCenterChatCode(db, "max", t.chatId, now());
        await send(chatLog, t.chatId, [{ text: i18n.t("ru", "max-chat-link-code", { code }), attachments: [] }]);
        return;
      }
      case "groupTake": {
        // A re-delivered press was taken and answered already.
        if (answeredCallbacks.has(t.callbackId)) return;
        const result = await takeFromChat(db, { channel: "max", messengerUserId: t.userId, requestNumber: t.requestNumber, now: now(), family: deps.family });
        chatLog.info({ result: result.type }, "max take from operators' chat");
        const key = result.type === "conflict" ? `max-take-${result.code === "already_taken" ? "already" : "conflict"}` : `max-take-${result.type}`;
        await answerOnce(chatLog, t.callbackId, { notification: i18n.t("ru", key) } as Parameters<typeof api.answerOnCallback>[1]);
        // Also as a message in the operators' chat: the toast may not show, and colleagues see who took it.
        const chatKey = key.replace("max-take-", "max-take-chat-");
        const who = t.userName || i18n.t("ru", "max-take-chat-someone");
        await send(chatLog, t.chatId, [{ text: i18n.t("ru", chatKey, { number: t.requestNumber, who }), attachments: [] }]).catch(
          (err: unknown) => chatLog.warn({ err: errInfo(err) }, "max take result not posted in the chat"),
        );
        return;
      }
      case "staffLink": {
        const linked = await linkStaffAccount(db, { code: t.code, channel: "max", messengerUserId: t.userId, now: now() });
        chatLog.info({ result: linked.type }, "max staff account link");
        const key = linked.type === "ok" ? "max-staff-linked" : `max-link-${linked.type}`;
        await send(chatLog, t.chatId, [{ text: i18n.t(pickLocale(t.locale), key), attachments: [] }]);
        return;
      }
      case "ignored":
        if (t.callbackId)
          await answerCallback(chatLog, { id: t.callbackId }, "notify", pickLocale(undefined));
        return;
    }
  }

  function handleUpdate(raw: unknown): Promise<void> {
    return processUpdate(raw, translateUpdate(raw));
  }

  /**
   * Writes a dialog update to the inbound journal (see inbound-journal.ts) and queues it; resolves
   * once it is stored, with the promise of its processing. Rejects when it cannot be stored.
   */
  async function accept(raw: unknown): Promise<{ done: Promise<void> }> {
    const t = translateUpdate(raw);
    // Several instances order a chat by arrival: stamped by the database's clock, not this machine's.
    if (t.type === "event") await journal.record([{ updateKey: t.updateKey, payload: JSON.stringify(raw), chatKey: t.chatId }], claims ? "database" : new Date());
    if (claims && t.type === "event") return { done: claims.kick(t.chatId) };
    return { done: processUpdate(raw, t) };
  }

  async function processUpdate(raw: unknown, t: TranslatedUpdate): Promise<void> {
    const updateType =
      typeof raw === "object" && raw !== null
        ? String((raw as { update_type?: unknown }).update_type)
        : "unknown";
    const chatId = "chatId" in t ? t.chatId : undefined;
    // Ids and types only: texts, names and phones never reach the logs.
    const chatLog = logForUpdate(log, { channel: CHANNEL, updateType, chatId });
    if (t.type === "ignored") chatLog.debug({ reason: t.reason }, "max update ignored");
    try {
      if (!chatId) return await dispatch(t, chatLog);
      await queue.run(chatId, () => dispatch(t, chatLog));
    } catch (err) {
      chatLog.error({ err: errInfo(err) }, "max update failed");
    } finally {
      // Applied, or failed for good: a failing update is not replayed forever. A dialog step
      // cleared its row in its own transaction (or, failing, left it for a retry).
      if (t.type === "event" && journalCleared.delete(t.updateKey)) journal.release([t.updateKey]);
      else if (t.type === "event") await journal.done(t.updateKey).catch((err: unknown) => chatLog.warn({ err: errInfo(err) }, "max journal entry not cleared"));
    }
  }

  /**
   * Makes MAX's subscriptions match the mode, idempotently at every start. Webhook with a URL: any
   * subscription to another URL (an old address) is removed and ours is (re)posted with its secret
   * and update types (POST replaces the one with the same URL). Polling: every subscription is
   * removed, since MAX does not serve GET /updates to a bot that has one. Webhook without a URL:
   * managed outside the service, left alone.
   */
  async function syncSubscriptions() {
    if (mode.type === "webhook" && !mode.url) return;
    const target = mode.type === "webhook" ? mode.url : undefined;
    const existing = await out.call("subscriptions", () => api.getSubscriptions());
    for (const sub of existing) {
      if (sub.url === target) continue;
      await checked("unsubscribe", () => api.unsubscribe(sub.url));
      log.info({ channel: CHANNEL }, "max: old webhook subscription removed");
    }
    if (mode.type === "webhook" && target) {
      await checked("subscribe", () => api.subscribe(target, mode.secret, [...UPDATE_TYPES]));
    }
  }

  /** An action call whose `success: false` (HTTP 200) is an error, not a silent no-op. */
  async function checked(what: string, fn: () => Promise<{ success: boolean; message?: string }>, priority?: OutboundPriority) {
    const res = await out.call(what, fn, priority);
    if (!res.success) throw new MaxActionRefused(what);
    return res;
  }

  async function setCommands() {
    const ru: Locale = "ru";
    const commands = ["start", "help", "status", "revoke", "lang", "menu", "hide"].map((name) => ({
      name,
      description: i18n.t(ru, `max-command-${name}`),
    }));
    try {
      await out.call("commands", () => api.setMyCommands(commands));
    } catch (err) {
      log.warn({ err: errInfo(err) }, "max commands not set");
    }
  }

  return {
    bot,
    replySender: replyDelivery.sender,
    async rememberSent(chatId, mids) {
      if (mids.length === 0) return;
      const conv = await loadConversation(chatId);
      if (!conv) return; // not a family's dialog (nothing to hide there)
      const stored = parseChannelData(conv.channelData);
      await updateConversation(chatId, { channelData: JSON.stringify({ ...stored, sent: addSent(stored.sent, mids, now().getTime()) }) });
    },
    handleUpdate,
    accept: async (raw) => {
      await accept(raw);
    },
    get accepting() {
      return accepting;
    },
    async idle() {
      await queue.idle();
      await claims?.idle();
      await out.drain();
    },
    async start() {
      stopping = false;
      // Verifies the token (GET /me). Once, without the outbound retries: a failed start is retried
      // whole with backoff by its supervisor (channel-status.ts), which logs one line per reason.
      bot.botInfo = await api.getMyInfo();
      if (deps.setCommands !== false) await setCommands();
      await replyDelivery.load(); // replies left undelivered go before new ones in their chats
      // Before the journal replay: a start that fails here is retried whole (see channel-status.ts).
      await syncSubscriptions();
      if (claims) await claims.start();
      else {
        await journal.replay((update) => void handleUpdate(update));
        // A step that failed (an overloaded database) is applied again from the journal, no restart needed.
        journal.retryFailed((update) => void handleUpdate(update), { when: () => !deps.polling?.leadership || deps.polling.leadership.leading });
      }
      accepting = true;
      if (mode.type === "webhook") {
        log.info({ channel: CHANNEL, mode: "webhook", subscribed: Boolean(mode.url) }, "max channel ready");
        return;
      }
      // syncSubscriptions above removed any webhook (it would block GET /updates).
      await poller.start();
      log.info({ channel: CHANNEL, mode: "polling" }, "max channel polling");
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      accepting = false;
      if (mode.type === "polling") await poller.stop();
      await queue.idle();
      await claims?.stop();
      await journal.stop();
      await replyDelivery.flush();
      await out.stop();
      log.info({ channel: CHANNEL }, "max channel stopped");
    },
  };
}

export { maxWebhookPlugin } from "./max-webhook.ts";
