// The Telegram channel: a thin grammY adapter that translates updates into dialog events and
// dialog replies into Bot API calls. Nothing about the triage lives here (design §2.4).
//
// Delivery model:
// - Polling: our own getUpdates loop (grammY's `bot.start()` handles updates strictly one after
//   another for the whole bot); updates are dispatched to a per-chat serial queue, so chats run
//   concurrently while one chat keeps its order. Offsets are confirmed on the next getUpdates,
//   after the batch is in the inbound journal (replayed at start if the process died).
// - Webhook: `telegramWebhookPlugin` checks the secret header and hands updates to the same queue.
// - At-most-once: the dialog service stores `update_id`s in the transaction of the state change
//   and answers `duplicate` for re-deliveries; a press is answered once, after its step.
// - Outbound: auto-retry (429 after retry_after, 5xx with backoff) inside a throttler (per chat and
//   overall), so a retried message keeps its place in its chat. 403 marks the conversation blocked.
import { autoRetry } from "@grammyjs/auto-retry";
import { Api, Bot, GrammyError, HttpError } from "grammy";
import type { BotCommand, Update, UserFromGetMe } from "grammy/types";
import type { Db } from "../../db/client.ts";
import type { DialogService, InboundEvent } from "../../dialog/service-types.ts";
import type { FamilyMessenger } from "../../handoff/family-messages.ts";
import { issueCenterChatCode, linkStaffAccount, takeFromChat } from "../../handoff/linking.ts";
import { type I18n, type Locale, pickLocale } from "../../i18n/i18n.ts";
import type { Logger } from "../../logging/logger.ts";
import { logForUpdate, type UpdateLog } from "../../logging/update-log.ts";
import type { Leadership } from "../../cluster/election.ts";
import { createChatQueue } from "../chat-queue.ts";
import type { OutboundPriority } from "../outbound-limiter.ts";
import { createUndiciFetch, type FetchFn } from "../http-transport.ts";
import { createInboundJournal } from "../inbound-journal.ts";
import { createReplyDelivery, type ReplyAttempt, type ReplyPayload, type ReplySend } from "../../outbox/reply-delivery.ts";
import type { Sender } from "../../outbox/outbox.ts";
import type { ChatClaimsFactory } from "../../cluster/chat-claims.ts";
import { addRecent, type ChatState, createChatStateStore, DELETABLE_FOR_SECONDS } from "./chat-state.ts";
import { renderReplies } from "./render-reply.ts";
import { sameQuestion } from "../same-question.ts";
import { createSplitJoiner, journalSplitJoin } from "./split-joiner.ts";
import { countTelegramRetries, limitTelegramApi, TELEGRAM_THROTTLE, type ThrottleOptions } from "./telegram-throttle.ts";
import { chatKeyOf, HIDE_CANCEL, HIDE_CONFIRM, matchReplyOption, type TranslatedUpdate, translateUpdate } from "./translate-update.ts";

export { TELEGRAM_THROTTLE, type ThrottleOptions } from "./telegram-throttle.ts";
export { telegramWebhookPlugin } from "./telegram-webhook.ts";

export type TelegramMode =
  /** Long polling; `timeoutSeconds` is the getUpdates long-poll timeout (default 30). */
  | { type: "polling"; timeoutSeconds?: number }
  /** Webhook; with `url`, setWebhook is called at start with the secret (else it is managed outside). */
  | { type: "webhook"; secret: string; url?: string };

export interface TelegramChannelDeps {
  token: string;
  /** Bot API root without a trailing slash (self-hosted Bot API servers, tests). */
  apiRoot?: string;
  /** HTTP transport of the Bot API calls (default: undici with keep-alive, see http-transport.ts). */
  fetch?: FetchFn;
  service: DialogService;
  db: Db;
  log: Logger;
  i18n: I18n;
  mode: TelegramMode;
  /** Outbound limits (the bot's limiter shared in this process); `false` only for benchmarks against a fake API. */
  throttle?: ThrottleOptions | false;
  /** Limits of the auto-retry transformer. */
  retry?: { maxRetryAttempts?: number; maxDelaySeconds?: number };
  /** Polling backpressure: no new getUpdates while this many updates are queued. */
  maxInFlight?: number;
  clock?: () => Date;
  /** Tells the family when an operator takes their request from the operators' chat. */
  family?: FamilyMessenger;
  /** Known bot identity (skips getMe; tests and benchmarks). */
  botInfo?: UserFromGetMe;
  /** Told when polling stops working and when it works again (the channel's state on /readyz). */
  onState?: (state: "up" | "down", err?: unknown) => void;
  /** How long a 4096-character text waits for the rest Telegram split off (default 1200 ms). */
  splitWaitMs?: number;
  /** Several instances: poll only while this instance is the elected poller (src/cluster/election.ts). */
  leadership?: Leadership;
  /** Webhook mode on several instances: a chat's updates are applied by whichever instance holds its claim (src/cluster/chat-claims.ts). */
  chatClaims?: ChatClaimsFactory;
}

export interface TelegramChannel {
  /** getMe, command menu, then polling (or setWebhook). */
  start(): Promise<void>;
  /** Stops taking updates and waits for the ones in flight. */
  stop(): Promise<void>;
  /** Queues one update in its chat and resolves when it is processed; never rejects. */
  handleUpdate(update: Update): Promise<void>;
  /**
   * Journals the update (see inbound-journal.ts), queues it, and resolves once it is safely stored,
   * before it is processed: the webhook answers Telegram then. Rejects when it cannot be stored.
   */
  accept(update: Update): Promise<void>;
  /** Resolves when no update is queued or running. */
  idle(): Promise<void>;
  /** The outbox worker's sender for this channel's dialog replies (src/outbox/reply-delivery.ts). */
  readonly replySender: Sender;
  /** False before start and after stop: the webhook answers 503 so Telegram re-delivers later. */
  readonly accepting: boolean;
  readonly bot: Bot;
}

// Edited messages too: an edit can carry danger, and every free text is screened (issue 11).
/** What sending a step's replies needs besides them: which event, which press, which message. */
interface ReplyMeta {
  event?: InboundEvent["type"];
  callback?: { messageId: number; messageText?: string };
  messageId?: number;
  date?: number;
  /** The update answered something beside the dialog (a rating press): the open question keeps its buttons. */
  aside?: boolean;
}

const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;
const MENU_COMMANDS = ["start", "help", "status", "revoke", "lang", "hide"] as const;
/** At most this many message ids below the neutral line are tried by /hide (5 deleteMessages calls). */
const HIDE_RANGE_MAX = 500;
/** deleteMessages takes at most this many ids per call. */
const DELETE_BATCH = 100;

/** Error details safe for logs: codes and Telegram's descriptions, never payloads (they hold texts). */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof GrammyError) return { kind: "telegram", method: err.method, code: err.error_code, description: err.description };
  if (err instanceof HttpError) return { kind: "http" };
  if (err instanceof Error) return { kind: err.name, code: (err as { code?: unknown }).code };
  return { kind: typeof err };
}

function isBlockedError(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 403;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { service, db, i18n, mode } = deps;
  const log = deps.log.child({ component: "telegram" });
  const clock = deps.clock ?? (() => new Date());
  const maxInFlight = deps.maxInFlight ?? 1000;
  const apiRoot = deps.apiRoot ?? "https://api.telegram.org";
  // undici instead of grammY's node-fetch: a fraction of the CPU per call (see http-transport.ts).
  const client = { apiRoot, fetch: deps.fetch ?? (createUndiciFetch() as never) };
  const bot = new Bot(deps.token, { client, ...(deps.botInfo ? { botInfo: deps.botInfo } : {}) });
  // Order matters: the last installed transformer is the outermost. Retries run inside the
  // throttler's per-chat slot, so a message waiting out a 429 is not overtaken in its chat; each
  // retried send still takes a place in the bot's overall window (innermost: countTelegramRetries).
  // The bot's one limiter in this process, shared with the outbox worker's sender (outbound-limiter.ts).
  const throttle = deps.throttle === undefined ? TELEGRAM_THROTTLE : deps.throttle;
  const limited = (api: Api, priority: OutboundPriority): Api => {
    if (throttle) countTelegramRetries(api, { token: deps.token, apiRoot }, throttle, priority);
    api.config.use(
      autoRetry({ maxRetryAttempts: deps.retry?.maxRetryAttempts ?? 5, maxDelaySeconds: deps.retry?.maxDelaySeconds ?? 120 }),
    );
    if (throttle) limitTelegramApi(api, { token: deps.token, apiRoot }, throttle, priority);
    return api;
  };
  // The bot's calls at each priority of the shared limiter: bot.api's (and its contexts') are notices.
  const apiAt: Record<OutboundPriority, Api> = {
    notice: limited(bot.api, "notice"),
    urgent: limited(new Api(deps.token, client), "urgent"),
    reply: limited(new Api(deps.token, client), "reply"),
    cleanup: limited(new Api(deps.token, client), "cleanup"),
  };

  const queue = createChatQueue();
  // Several instances: the journal is the per-chat queue, applied under a chat claim in update_id
  // order; the parts of a split long text meet there (from any instance) and go on as one.
  const claims = deps.chatClaims?.({
    apply: async (update) => {
      try {
        await bot.handleUpdate(update as Update);
      } finally {
        journalParts.delete(String((update as Update).update_id));
      }
    },
    order: "numericKey",
    joiner: {
      waitMs: deps.splitWaitMs ?? 1200,
      opens: (parts) => journalSplitJoin.opens(parts as Update[]),
      continues: (parts, next) => journalSplitJoin.continues(parts as Update[], next as Update),
      join(parts) {
        const joined = journalSplitJoin.join(parts as Update[]);
        // The step's transaction clears every part's journal entry, as in one process.
        journalParts.set(String(joined.update_id), parts.map((p) => String((p as Update).update_id)));
        return joined;
      },
    },
  });
  const store = createChatStateStore({ db, log });
  const journal = createInboundJournal(db, log, "telegram");
  // A step's replies: committed with it in the outbox, sent at once, retried by the outbox worker.
  const replyDelivery = createReplyDelivery({
    db,
    log,
    channel: "telegram",
    clock,
    send: (chatId, payload, how) => sendReplies(chatId, payload, how),
    inChat: (chatId, task) => queue.run(chatId, task),
  });
  /** Journal keys of an update in flight (a split text has several), cleared by its step's transaction. */
  const journalParts = new Map<string, string[]>();
  // Groups get one notice per process; bounded so a spam wave cannot grow memory.
  const notifiedGroups = new Set<string>();

  let accepting = false;
  let stopping = false;
  let abort = new AbortController();
  let polling: Promise<void> | undefined;
  let offset = 0;

  bot.use(async (ctx) => {
    await processUpdate(ctx.update, ctx.api);
  });
  // Defensive: grammY's own loops (if ever used) report here; our dispatcher catches too.
  bot.catch((err) => {
    log.error({ updateId: err.ctx.update.update_id, error: describeError(err.error) }, "telegram: update failed");
  });

  async function processUpdate(update: Update, api: Api): Promise<void> {
    const translated = translateUpdate(update, { botUsername: bot.botInfo.username });
    const updateLog = logForUpdate(log, { updateId: update.update_id });
    switch (translated.type) {
      case "event":
        return handleEvent(translated, api, updateLog);
      case "rejectCallback":
        updateLog.debug({ reason: translated.reason }, "telegram: callback rejected");
        await answerPress(api, translated.callbackId, { text: text(translated.locale, "telegram-button-inactive") }, updateLog);
        return;
      case "group":
        return handleGroupUpdate(translated, api, updateLog);
      case "staffLink": {
        const linked = await linkStaffAccount(db, { code: translated.code, channel: "telegram", messengerUserId: translated.userId, now: clock() });
        const key = linked.type === "ok" ? "telegram-staff-linked" : `telegram-link-${linked.type}`;
        updateLog.info({ result: linked.type }, "telegram: staff account link");
        await api.sendMessage(translated.chatId, i18n.t(pickLocale(translated.locale), key)).catch(() => undefined);
        return;
      }
      case "hide":
        return handleHide(translated, api, updateLog);
      case "membership":
        updateLog.debug({ chatId: translated.chatId, blocked: translated.blocked }, "telegram: membership changed");
        await store.markBlocked(translated.chatId, translated.blocked, clock());
        return;
      case "ignore":
        updateLog.debug({ reason: translated.reason }, "telegram: update ignored");
        return;
    }
  }

  // Presses answered in this process: Telegram refuses a second answer of the same press ("query
  // is too old … or query ID is invalid"), and a press may come again (a webhook retry, a step
  // retried from the journal). Bounded, oldest out.
  const answeredPresses = new Set<string>();
  async function answerPress(api: Api, id: string, other: Parameters<Api["answerCallbackQuery"]>[1], pressLog: UpdateLog): Promise<void> {
    if (answeredPresses.has(id)) {
      pressLog.debug("telegram: press already answered");
      return;
    }
    try {
      await api.answerCallbackQuery(id, other);
      answeredPresses.add(id);
      if (answeredPresses.size > 5000) {
        const oldest = answeredPresses.values().next().value;
        if (oldest !== undefined) answeredPresses.delete(oldest);
      }
    } catch (err) {
      pressLog.debug({ error: describeError(err) }, "telegram: answerCallbackQuery failed");
    }
  }

  function text(localeHint: string | undefined, key: string): string {
    return i18n.t(pickLocale(localeHint), key);
  }

  async function handleEvent(tr: Extract<TranslatedUpdate, { type: "event" }>, api: Api, updateLog: UpdateLog): Promise<void> {
    const { source, callback } = tr;
    const chatId = source.chatId;
    const evLog = updateLog.with({ chatId, event: tr.event.type });
    const state = await store.load(chatId);
    let event: InboundEvent = tr.event;
    if (event.type === "text") {
      const option = matchReplyOption(event.text, state.replyOptions);
      if (option) event = { type: "option", token: option.token };
    }

    // What sending the replies needs besides them (kept with them in the outbox for a retry).
    const meta: ReplyMeta = {
      event: event.type,
      ...(callback ? { callback: { messageId: callback.messageId, ...(callback.messageText !== undefined ? { messageText: callback.messageText } : {}) } } : {}),
      ...(source.messageId !== undefined ? { messageId: source.messageId, date: source.date ?? nowSeconds() } : {}),
    };
    const journalKeys = journalParts.get(source.updateKey) ?? [source.updateKey];
    const queued = replyDelivery.backlogged(chatId);
    let result: Awaited<ReturnType<DialogService["handle"]>>;
    try {
      result = await service.handle(
        {
          channel: "telegram",
          chatId,
          userId: source.userId,
          updateKey: source.updateKey,
          locale: source.locale,
          // Which message of the person this is (or edits): an edit of the last answer is a new answer.
          ...(source.messageId !== undefined ? { messageId: String(source.messageId) } : {}),
          delivery: { journalKeys, meta, queued },
        },
        event,
      );
    } catch (err) {
      // The step failed: the spinner still stops (a retry of the step will not answer again).
      if (callback) await answerPress(api, callback.id, undefined, evLog);
      throw err;
    }
    // A press is answered once, right after its step (Telegram refuses a second answer): a
    // re-delivered press (a webhook retry, an unconfirmed poll after a restart) is a duplicate and
    // was answered when it was applied.
    if (result.type === "duplicate") {
      evLog.debug("telegram: duplicate update");
      return;
    }
    if (callback) await answerPress(api, callback.id, undefined, evLog);
    // Cleared in the step's transaction, or kept for a retry of a failed step: not by runUpdate.
    if (result.deliveryId !== undefined || result.failed) journalParts.delete(source.updateKey);
    const locale = result.locale ?? source.locale;
    const payload: ReplyPayload = { replies: result.replies, ...(locale ? { locale } : {}), meta: result.aside ? { ...meta, aside: true } : meta };
    // Over the bot's overall limit, a P0 family's replies and the emergency numbers go out first.
    const priority = result.urgent ? "urgent" : "reply";
    // Committed with the step (outbox): sent now, or by the outbox worker after earlier replies.
    if (result.deliveryId !== undefined) {
      // Queued behind the chat's undelivered replies: the outbox worker sends it (sending it here too sent it twice).
      if (queued) return;
      const deliveryId = result.deliveryId;
      await replyDelivery.deliverNow(chatId, deliveryId, payload, priority);
      // A resting dialog's chat state leaves memory once written (read back if the person goes on).
      if (result.resting) store.forget(chatId);
      return;
    }
    // Nothing stored (no replies, or the step failed): keyboards still tidied, a failure still said.
    if (!queued) await sendReplies(chatId, payload, { retry: false, priority });
  }

  /**
   * Sends one step's replies (the fast path right after the step, or the outbox worker's retry):
   * removes answered keyboards or edits a re-rendered question in place, sends the messages not yet
   * sent, and remembers the chat's keyboard and message ids.
   */
  async function sendReplies(chatId: string, payload: ReplyPayload, how: Parameters<ReplySend>[2]): Promise<ReplyAttempt> {
    const api = apiAt[how.priority];
    const meta = (payload.meta ?? {}) as ReplyMeta;
    const callback = meta.callback;
    const evLog = logForUpdate(log, { chatId, event: meta.event, retry: how.retry });
    const state = await store.load(chatId);
    // The conversation's language (it follows /lang), not only the app's language_code.
    const locale = payload.locale;
    const rendered = renderReplies(
      payload.replies,
      { replyOptions: state.replyOptions, removePending: state.removePending },
      { shareLabel: text(locale, "telegram-share-contact"), keyboardClosed: text(locale, "telegram-keyboard-closed") },
    );
    if (rendered.droppedTokens > 0) evLog.error({ dropped: rendered.droppedTokens }, "telegram: option token longer than 64 bytes");
    if (rendered.emptyReplies > 0) evLog.error({ empty: rendered.emptyReplies }, "telegram: reply with an empty text not sent");
    const already = payload.sent ?? 0;

    // A press that re-renders the same question (a topic ticked, another page of topics) edits the
    // pressed message in place: one call instead of removing its buttons and sending a new copy.
    // Also when no keyboard is known for the chat (an instance killed right after sending the
    // question took that knowledge with it: chat state is written in batches) and when the outbox
    // worker sends the reply (the chat was backlogged after a crash): a new copy would leave the
    // pressed one's buttons live beside it (chaos test: families pressed both). An edit that had
    // already gone through (a retry) is answered "message is not modified": that is done too.
    const only = rendered.messages.length === 1 ? rendered.messages[0] : undefined;
    if (
      callback?.messageText !== undefined &&
      meta.event === "option" &&
      (callback.messageId === state.keyboardMessageId || state.keyboardMessageId === undefined) &&
      only?.markup?.type === "inline" &&
      sameQuestion(only.text, callback.messageText)
    ) {
      const edited = await (only.text === callback.messageText
        ? api.editMessageReplyMarkup(chatId, callback.messageId, { reply_markup: only.markup.value })
        : api.editMessageText(chatId, callback.messageId, only.text, { reply_markup: only.markup.value, link_preview_options: { is_disabled: true } })
      ).then(
        () => true,
        (err: unknown) => {
          if (err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description)) return true;
          evLog.debug({ error: describeError(err) }, "telegram: question not edited in place; sending it anew");
          return false;
        },
      );
      if (edited) {
        await how.wentOut?.(1, true);
        await store.save(chatId, { keyboardMessageId: callback.messageId, ...rendered.keyboard, ...(state.recent ? { recent: state.recent } : {}) });
        return { type: "sent" };
      }
    }

    // Buttons of an answered question go away so the same message cannot be answered twice.
    let keyboardMessageId = state.keyboardMessageId;
    // A press beside the dialog (a rating under a closing message) leaves the open question alone.
    const answered = !meta.aside && (meta.event === "option" || meta.event === "text" || meta.event === "contact");
    const asksAgain = rendered.messages.some((m) => m.markup?.type === "inline");
    const toClear = new Set<number>();
    if (already === 0) {
      if ((answered || asksAgain) && keyboardMessageId !== undefined) toClear.add(keyboardMessageId);
      if (callback) toClear.add(callback.messageId);
    }
    // The clean-up goes after the new question and at the lowest priority: the chat's budget of
    // about one message a second is spent on what the family waits for first (issue 15.7).
    const clearKeyboards = async () => {
      for (const messageId of toClear) {
        await apiAt.cleanup.editMessageReplyMarkup(chatId, messageId, { reply_markup: { inline_keyboard: [] } }).catch(
          (err: unknown) => evLog.debug({ error: describeError(err) }, "telegram: keyboard not removed"),
        );
        if (messageId === keyboardMessageId) keyboardMessageId = undefined;
      }
    };

    // Ids of this exchange's messages (the person's and ours) for the quick exit (/hide).
    const exchanged: Array<[number, number]> = [];
    if (meta.messageId !== undefined && already === 0) exchanged.push([meta.messageId, meta.date ?? nowSeconds()]);
    let sent = 0;
    let outcome: ReplyAttempt = { type: "sent" };
    try {
      for (const message of rendered.messages.slice(already)) {
        const msg = await api.sendMessage(chatId, message.text, {
          ...(message.markup ? { reply_markup: message.markup.value } : {}),
          link_preview_options: { is_disabled: true },
        });
        sent += 1;
        exchanged.push([msg.message_id, msg.date]);
        if (message.markup?.type === "inline") keyboardMessageId = msg.message_id;
        // Recorded before the next message waits for its budget and before the clean-up.
        await how.wentOut?.(sent, already + sent === rendered.messages.length);
      }
    } catch (err) {
      if (isBlockedError(err)) {
        // The person blocked the bot: remember it and do not retry (auto-retry never retries 403).
        evLog.info("telegram: bot blocked by the person");
        await store.markBlocked(chatId, true, clock());
        outcome = { type: "blocked", code: "HTTP_403" };
      } else {
        evLog.warn({ error: describeError(err), sent }, "telegram: reply not sent");
        const code = err instanceof GrammyError ? err.error_code : undefined;
        outcome =
          code !== undefined && code >= 400 && code < 500 && code !== 429
            ? { type: "failed", code: `HTTP_${code}` }
            : { type: "retry", code: code !== undefined ? `HTTP_${code}` : "NETWORK", sent };
      }
    } finally {
      if (outcome.type !== "blocked") await clearKeyboards();
      const sentAll = already + sent === rendered.messages.length;
      await store.save(chatId, {
        ...(keyboardMessageId !== undefined ? { keyboardMessageId } : {}),
        // When sending broke off, keep the previous reply-keyboard knowledge: it may still be shown.
        ...(sentAll ? rendered.keyboard : { replyOptions: state.replyOptions }),
        recent: addRecent(state.recent, exchanged, nowSeconds()),
      });
    }
    return outcome;
  }

  function nowSeconds(): number {
    return Math.floor(clock().getTime() / 1000);
  }

  /**
   * Quick exit for a shared phone (issue 12). `/hide` says what will and will not disappear and asks
   * once; the confirming press sends one neutral line (which also takes away a shown reply keyboard),
   * then deletes the chat's messages we know of that Telegram still lets a bot delete (the person's
   * and ours, younger than 48 hours), newest first. The dialog state and the request are not touched.
   */
  async function handleHide(tr: Extract<TranslatedUpdate, { type: "hide" }>, api: Api, updateLog: UpdateLog): Promise<void> {
    const { source, callback } = tr;
    const chatId = source.chatId;
    const hideLog = updateLog.with({ chatId, hide: tr.stage });
    const state = await store.load(chatId);
    const locale = await conversationLocale(chatId, source.locale);
    const t = (key: string) => i18n.t(locale, key);
    if (callback) await answerPress(api, callback.id, undefined, hideLog);
    const own: Array<[number, number]> = source.messageId !== undefined ? [[source.messageId, source.date ?? nowSeconds()]] : [];

    if (tr.stage === "ask") {
      const prompt = await api.sendMessage(chatId, t("telegram-hide-ask"), {
        reply_markup: { inline_keyboard: [[{ text: t("telegram-hide-confirm"), callback_data: HIDE_CONFIRM }], [{ text: t("telegram-hide-cancel"), callback_data: HIDE_CANCEL }]] },
      });
      await store.save(chatId, { ...state, recent: addRecent(state.recent, [...own, [prompt.message_id, prompt.date]], nowSeconds()) });
      return;
    }
    if (tr.stage === "cancel") {
      // The prompt goes; the conversation goes on where it was.
      if (callback) await api.deleteMessage(chatId, callback.messageId).catch((err) => hideLog.debug({ error: describeError(err) }, "telegram: prompt not deleted"));
      return;
    }

    const now = nowSeconds();
    const neutral = await api.sendMessage(chatId, t("telegram-hide-neutral"), { reply_markup: { remove_keyboard: true } });
    const ids = new Set<number>();
    for (const [id, date] of [...(state.recent ?? []), ...own]) if (now - date < DELETABLE_FOR_SECONDS) ids.add(id);
    if (callback) ids.add(callback.messageId);
    // Messages sent outside the dialog (an operator's reply from the outbox) are not in `recent`, but
    // a private chat's ids only grow: every id from the oldest deletable one we know up to the neutral
    // line is younger than 48 h, and deleteMessages skips ids this chat does not have. Capped.
    if (ids.size > 0) {
      const from = Math.max(Math.min(...ids), neutral.message_id - HIDE_RANGE_MAX);
      for (let id = from; id < neutral.message_id; id++) ids.add(id);
    }
    ids.delete(neutral.message_id);
    const newestFirst = [...ids].sort((a, b) => b - a);
    let deleted = 0;
    let failed = 0;
    for (let i = 0; i < newestFirst.length; i += DELETE_BATCH) {
      const batch = newestFirst.slice(i, i + DELETE_BATCH);
      try {
        await api.deleteMessages(chatId, batch);
        deleted += batch.length;
      } catch {
        // One message that cannot go (deleted by the person, just past 48 h) fails the whole call:
        // try them one by one so the others still go.
        for (const id of batch) {
          const ok = await api.deleteMessage(chatId, id).then(
            () => true,
            () => false,
          );
          if (ok) deleted += 1;
          else failed += 1;
        }
      }
    }
    hideLog.info({ deleted, failed }, "telegram: quick exit");
    const next: ChatState = { recent: [[neutral.message_id, neutral.date]] };
    await store.save(chatId, next);
  }

  /** The conversation's language (it follows /lang), else the messenger's hint. */
  async function conversationLocale(chatId: string, hint: string | undefined): Promise<Locale> {
    const row = await db.conversation
      .findUnique({ where: { channel_chatId: { channel: "telegram", chatId } }, select: { locale: true } })
      .catch(() => null);
    return pickLocale(row?.locale ?? hint);
  }

  /**
   * Groups: an operators' chat links itself to a center with /link (a one-time code an admin enters
   * in the web view) and takes requests with the button under a notice; to anyone else the bot
   * says once that it works in private messages.
   */
  async function handleGroupUpdate(tr: Extract<TranslatedUpdate, { type: "group" }>, api: Api, updateLog: UpdateLog): Promise<void> {
    const notice = text(tr.locale, "telegram-group-notice");
    if (tr.callbackId && tr.callbackData?.startsWith("take:") && tr.fromId) {
      // A re-delivered press was taken and answered already.
      if (answeredPresses.has(tr.callbackId)) return;
      const result = await takeFromChat(db, {
        channel: "telegram",
        messengerUserId: tr.fromId,
        requestNumber: tr.callbackData.slice(5),
        now: clock(),
        family: deps.family,
      });
      updateLog.info({ result: result.type }, "telegram: take from operators' chat");
      const key = result.type === "conflict" ? `telegram-take-${result.code === "already_taken" ? "already" : "conflict"}` : `telegram-take-${result.type}`;
      await answerPress(api, tr.callbackId, { text: i18n.t("ru", key), show_alert: result.type !== "ok" }, updateLog);
      return;
    }
    if (tr.text && /^\/link(?:@\w+)?\s*$/i.test(tr.text.trim())) {
      const code = await issueCenterChatCode(db, "telegram", tr.chatId, clock());
      await api.sendMessage(tr.chatId, i18n.t("ru", "telegram-chat-link-code", { code })).catch(() => undefined);
      return;
    }
    if (tr.callbackId) {
      await answerPress(api, tr.callbackId, { text: notice }, updateLog);
      return;
    }
    if (notifiedGroups.has(tr.chatId)) {
      updateLog.debug({ chatId: tr.chatId }, "telegram: group message ignored");
      return;
    }
    if (notifiedGroups.size >= 10_000) notifiedGroups.clear();
    notifiedGroups.add(tr.chatId);
    await api
      .sendMessage(tr.chatId, notice)
      .catch((err) => updateLog.debug({ chatId: tr.chatId, error: describeError(err) }, "telegram: group notice not sent"));
  }

  // A long text Telegram split in two reaches the dialog as one (split-joiner.ts).
  const joiner = createSplitJoiner({ waitMs: deps.splitWaitMs ?? 1200, dispatch: (update, parts) => runUpdate(update, parts) });

  function handleUpdate(update: Update): Promise<void> {
    return joiner.push(update);
  }

  /** Runs one update (or the joined parts of a split text) in its chat's queue; never rejects. */
  function runUpdate(update: Update, parts: number[]): Promise<void> {
    const key = chatKeyOf(update) ?? `update:${update.update_id}`;
    const id = String(update.update_id);
    journalParts.set(id, parts.map(String));
    return queue
      .run(key, () => bot.handleUpdate(update))
      .catch((err: unknown) => {
        // A failing update is logged and dropped; it never stops the bot.
        const cause = err instanceof Error && "error" in err ? (err as { error: unknown }).error : err;
        log.error({ updateId: update.update_id, error: describeError(cause) }, "telegram: update failed");
      })
      .then(() => {
        // A dialog step cleared its journal rows in its own transaction (or, failing, left them for a retry).
        const left = journalParts.get(id);
        journalParts.delete(id);
        journal.release(parts.map(String));
        return Promise.all((left ?? []).map((k) => journal.done(k)));
      })
      .then(() => undefined)
      .catch((err: unknown) => log.warn({ updateId: update.update_id, error: describeError(err) }, "telegram: journal entry not cleared"));
  }

  /** Journals a batch of updates, then queues them; rejects (nothing queued) when they cannot be stored. */
  async function acceptAll(updates: Update[]): Promise<void> {
    await journal.record(
      updates.map((u) => ({ updateKey: String(u.update_id), payload: JSON.stringify(u), chatKey: chatKeyOf(u) ?? `update:${u.update_id}` })),
      clock(),
    );
    for (const update of updates) void (claims ? claims.kick(chatKeyOf(update) ?? `update:${update.update_id}`) : handleUpdate(update));
  }

  async function setCommands(): Promise<void> {
    const menu = (locale: Locale): BotCommand[] =>
      MENU_COMMANDS.map((command) => ({ command, description: i18n.t(locale, `telegram-command-${command}`) }));
    try {
      await bot.api.setMyCommands(menu("ru"));
      await bot.api.setMyCommands(menu("ru"), { language_code: "ru" });
      await bot.api.setMyCommands(menu("en"), { language_code: "en" });
    } catch (err) {
      log.warn({ error: describeError(err) }, "telegram: cannot set the command menu");
    }
  }

  async function pollLoop(timeoutSeconds: number): Promise<void> {
    let backoffMs = 500;
    while (!stopping) {
      if (queue.pending >= maxInFlight) {
        await sleep(5); // backpressure: let the queued updates drain before fetching more
        continue;
      }
      // Several instances: only the elected poller polls. Telegram keeps what nobody confirmed, and
      // a new poller first replays what the last one journaled but had not applied.
      const waited = deps.leadership ? !deps.leadership.leading : false;
      const turn = deps.leadership ? await deps.leadership.turn(abort.signal) : undefined;
      if (deps.leadership && !turn) break;
      if (waited) await journal.replay((update) => void handleUpdate(update as Update)).catch(() => undefined);
      const signal = turn ? AbortSignal.any([abort.signal, turn.signal]) : abort.signal;
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates(
          { offset, limit: 100, timeout: timeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] },
          // grammY types its signal with the abort-controller polyfill; Node's is compatible.
          signal as unknown as Parameters<Api["getUpdates"]>[1],
        );
        if (backoffMs > 500) deps.onState?.("up");
        backoffMs = 500;
      } catch (err) {
        if (stopping) break;
        if (turn?.signal.aborted) continue; // stepped down mid-poll: not a failure
        deps.onState?.("down", err);
        log.warn({ error: describeError(err), retryInMs: backoffMs }, "telegram: getUpdates failed");
        await sleep(backoffMs, abort.signal);
        backoffMs = Math.min(backoffMs * 2, 30_000);
        continue;
      }
      if (updates.length === 0) continue;
      try {
        // Stored before the next getUpdates confirms them to Telegram: a crash loses nothing.
        await acceptAll(updates);
      } catch (err) {
        log.error({ error: describeError(err), retryInMs: backoffMs }, "telegram: cannot journal updates; fetching them again");
        await sleep(backoffMs, abort.signal);
        backoffMs = Math.min(backoffMs * 2, 30_000);
        continue;
      }
      for (const update of updates) offset = Math.max(offset, update.update_id + 1);
    }
  }

  return {
    bot,
    replySender: replyDelivery.sender,
    get accepting() {
      return accepting;
    },
    async start() {
      if (accepting) return;
      stopping = false;
      abort = new AbortController();
      await bot.init(); // getMe (skipped when botInfo was given)
      await setCommands();
      await replyDelivery.load(); // replies left undelivered go before new ones in their chats
      if (claims) await claims.start();
      else {
        await journal.replay((update) => void handleUpdate(update as Update));
        // A step that failed (an overloaded database) is applied again from the journal, no restart needed.
        journal.retryFailed((update) => void handleUpdate(update as Update), { when: () => !deps.leadership || deps.leadership.leading });
      }
      if (mode.type === "polling") {
        // getUpdates answers 409 while a webhook is set; keep pending updates, they are real families.
        await bot.api.deleteWebhook({ drop_pending_updates: false });
        accepting = true;
        polling = pollLoop(mode.timeoutSeconds ?? 30);
      } else {
        if (mode.url) {
          await bot.api.setWebhook(mode.url, { secret_token: mode.secret, allowed_updates: [...ALLOWED_UPDATES] });
        }
        accepting = true;
      }
      log.info({ mode: mode.type, bot: bot.botInfo.id }, "telegram: started");
    },
    async stop() {
      if (!accepting && !polling) return;
      accepting = false;
      stopping = true;
      abort.abort();
      await polling;
      polling = undefined;
      joiner.flush(); // a held first part goes on alone rather than wait
      await joiner.idle();
      await queue.idle();
      await claims?.stop();
      await journal.stop();
      await replyDelivery.flush();
      await store.flush();
      if (mode.type === "polling" && offset > 0) {
        // Confirm what was processed so Telegram does not re-deliver it to the next process.
        await bot.api.getUpdates({ offset, limit: 1, timeout: 0 }).catch(() => undefined);
      }
      log.info("telegram: stopped");
    },
    handleUpdate,
    accept: (update) => acceptAll([update]),
    idle: async () => {
      await joiner.idle();
      await queue.idle();
      await claims?.idle();
    },
  };
}
