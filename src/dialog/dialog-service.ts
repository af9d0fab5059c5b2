// The dialog service every channel calls: one inbound update → one transaction that dedupes the
// update, loads the conversation, runs the pure engine, applies its effects (consent, request,
// erasure, transcript) and saves the new state. Replies are returned only after the commit.
// Personal data is never logged: ids, step names and effect types only.
import { randomUUID } from "node:crypto";
import { type Db, engineOf, type Tx } from "../db/client.ts";
import { isUrgency, maxUrgency, type Urgency } from "../domain/taxonomy.ts";
import { type I18n, type Locale, pickLocale } from "../i18n/i18n.ts";
import type { Logger } from "../logging/logger.ts";
import { logForUpdate, type UpdateLog } from "../logging/update-log.ts";
import { loadRoutingSnapshot } from "../routing/routing-store.ts";
import type { RoutingSnapshot } from "../routing/types.ts";
import { categoryLabelFor, enqueueEscalationNotices, newRequestNotices } from "../handoff/center-notifications.ts";
import { createRequest } from "../requests/create-request.ts";
import { OPEN_STATUSES } from "../requests/queue-order.ts";
import { erasePersonalData } from "../requests/erase-personal-data.ts";
import { flushErasure } from "../requests/erase-request-data.ts";
import { forgetsPersonalAnswers } from "../privacy/forgotten-answers.ts";
import { activeConsentSql, withdrawConsents } from "./consent.ts";
import {
  type CachedConversation,
  claimUpdate,
  commitCachedStep,
  conversationUpdate,
  createConversationCache,
  isResting,
  type LoadedConversation,
  loadOrCreateConversation,
  consentRow,
  inboundRow,
  readConversation,
  type StepBase,
  type StepRow,
} from "./conversation-store.ts";
import {
  type DialogCatalog,
  type Effect,
  type EngineContext,
  type OutcomeReply,
  renderConfirmation,
  type StepResult,
  step,
} from "./engine.ts";
import { createRegionMatcher } from "./region-match.ts";
import { mergeReason, parseUrgencyReasons } from "./urgency-reasons.ts";
import type { DialogService, HandleResult, InboundContext, InboundEvent, Reply } from "./service-types.ts";
import { type DialogState, initialState, serializeState } from "./state.ts";
import { writeAudit } from "../audit/write-audit.ts";
import { isRatingPress, recordRatingPress } from "../requests/help-rating.ts";
import { deliveryInsertSql, enqueueReply, type ReplyInput } from "../outbox/outbox.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { FAST_PATH_HOLD_MS } from "../outbox/reply-delivery.ts";
import { parseToken } from "./tokens.ts";
import { currentChatClaim } from "../cluster/chat-claims.ts";
import { keepAttachment } from "../requests/attachments.ts";

export interface DialogServiceConfig {
  consentVersion: string;
  publicBaseUrl: string;
  operatorName: string;
  descriptionMaxLength?: number;
  /** Days personal data is kept after a request closes (stated in the consent text). */
  retentionDays?: number;
  /** How long the routing snapshot and region matcher are reused between updates. */
  catalogTtlMs?: number;
}

export interface DialogServiceDeps {
  db: Db;
  log: Logger;
  i18n: I18n;
  clock: () => Date;
  config: DialogServiceConfig;
}

interface Catalog {
  snapshot: RoutingSnapshot;
  catalog: DialogCatalog;
  loadedAt: number;
}

type Outcomes = Partial<Record<OutcomeReply["of"], string>>;

type RowEffect = Extract<Effect, { type: "recordConsent" | "recordInbound" }>;
const isRowEffect = (e: Effect): e is RowEffect => e.type === "recordConsent" || e.type === "recordInbound";


/** Attempts of a step whose transaction fails (an overloaded PostgreSQL, a busy SQLite) before giving up. */
const STEP_ATTEMPTS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A P0 / emergency step: its replies go first when the outbox has a backlog. */
function isUrgentStep(event: InboundEvent, result: StepResult): boolean {
  if (result.state.urgent) return true;
  if (result.effects.some((e) => e.type === "escalateRequest" && e.level === "P0")) return true;
  return event.type === "option" && parseToken(event.token)?.id === "sos";
}

/** A messenger's update (ctx.delivery): its inbound-journal rows, deleted by the step's claim. */
function journalKeysOf(ctx: InboundContext): readonly string[] {
  return ctx.delivery && (ctx.channel === "telegram" || ctx.channel === "max") ? ctx.delivery.journalKeys : [];
}

/**
 * Messengers (ctx.delivery): the step's replies are written to the outbox in its own transaction
 * (the journal rows went with the claim), so a crash or an outage after the commit still ends with
 * the family answered (src/outbox/reply-delivery.ts). `before`: the step's last writes (its
 * conversation UPDATE, a new request's notices), on PostgreSQL sent in the same statement as the outbox row.
 */
async function finishDelivery(
  tx: Tx,
  ctx: InboundContext,
  now: Date,
  replies: Reply[] | null,
  extra: { locale?: string; urgent?: boolean; before?: readonly Prisma.Sql[]; seq?: number },
): Promise<number | undefined> {
  const reply = replyRow(ctx, replies, extra);
  return reply ? enqueueReply(tx, reply, now, extra.before) : undefined;
}

/** The outbox row of a step's replies to a messenger (none for other channels or no replies). */
function replyRow(ctx: InboundContext, replies: Reply[] | null, extra: { locale?: string; urgent?: boolean; seq?: number }): ReplyInput | undefined {
  const d = ctx.delivery;
  if (!d || (ctx.channel !== "telegram" && ctx.channel !== "max")) return undefined;
  if (!replies || replies.length === 0) return undefined;
  return {
    channel: ctx.channel,
    chatId: ctx.chatId,
    updateKey: ctx.updateKey,
    payload: {
      replies,
      ...(extra.locale ? { locale: extra.locale } : {}),
      ...(d.meta !== undefined ? { meta: d.meta } : {}),
      ...(extra.seq !== undefined ? { seq: extra.seq } : {}),
    },
    urgent: extra.urgent ?? false,
    ...(d.queued ? {} : { holdMs: FAST_PATH_HOLD_MS }),
  };
}

export function createDialogService(deps: DialogServiceDeps): DialogService & { invalidateCatalog(): void } {
  const { db, log, i18n, clock, config } = deps;
  const engine = engineOf(db);
  // The conversations in mid-dialog as last committed here: their next update skips the read.
  const conversations = createConversationCache();
  const descriptionMaxLength = config.descriptionMaxLength ?? 1000;
  const retentionDays = config.retentionDays ?? 180;
  const ttl = config.catalogTtlMs ?? 5000;
  const noticeDeps = { i18n, publicBaseUrl: config.publicBaseUrl, categoryLabel: categoryLabelFor(i18n) };
  let cached: Catalog | null = null;
  /** Bumped by invalidateCatalog, so a load that began before an edit is not kept afterwards. */
  let catalogGeneration = 0;
  let plateCodes: Map<string, string> | null = null;

  // One load at a time: a burst of updates after a refresh (or at start) shares the same load.
  let loading: Promise<Catalog> | null = null;

  function loadCatalog(now: Date): Promise<Catalog> {
    if (cached && now.getTime() - cached.loadedAt >= 0 && now.getTime() - cached.loadedAt < ttl) return Promise.resolve(cached);
    // Past its time, the catalog is read again in the background while updates go on with the one
    // in hand for up to another `ttl` (waiting for the read put a pause into every update of that
    // moment: the p99). After an edit here (invalidateCatalog) there is none in hand, and updates
    // wait for the new one; so they do with a ttl of 0 (read at every update).
    const inHand = cached && now.getTime() - cached.loadedAt < 2 * ttl ? cached : null;
    if (!loading) {
      const generation = catalogGeneration;
      loading = readCatalog(now).finally(() => {
        loading = null;
      });
      void loading.then(
        (c) => {
          if (generation === catalogGeneration) cached = c;
        },
        () => undefined,
      );
    }
    return inHand ? Promise.resolve(inHand) : loading;
  }

  /** The region matcher is rebuilt (tens of ms, synchronous) only when regions or municipalities changed. */
  let matcher: { key: string; matcher: DialogCatalog["matcher"] } | undefined;

  async function readCatalog(now: Date): Promise<Catalog> {
    const snapshot = await loadRoutingSnapshot(db);
    if (!plateCodes) {
      const rows = await db.region.findMany({ select: { code: true, plateCodes: true } });
      plateCodes = new Map(rows.map((r) => [r.code, r.plateCodes]));
    }
    const regions = snapshot.regions.map((r) => ({ code: r.code, name: r.name, plateCodes: plateCodes!.get(r.code) ?? r.code }));
    const municipalities = snapshot.municipalities.map((m) => ({ id: m.id, regionCode: m.regionCode, key: m.key, name: m.name, aliases: m.aliases ?? [] }));
    const key = JSON.stringify([regions, municipalities]);
    if (matcher?.key !== key) matcher = { key, matcher: createRegionMatcher(regions, municipalities) };
    return {
      snapshot,
      catalog: { regions, municipalities, matcher: matcher.matcher },
      loadedAt: now.getTime(),
    };
  }

  function engineContext(now: Date, hint: Locale, loaded: Catalog): EngineContext {
    return {
      now,
      i18n,
      localeHint: hint,
      catalog: loaded.catalog,
      routing: loaded.snapshot,
      consent: { version: config.consentVersion, publicBaseUrl: config.publicBaseUrl, operatorName: config.operatorName, retentionDays },
      descriptionMaxLength,
    };
  }

  /** Engine replies with the texts of effect outcomes filled in (an outcome without text is dropped). */
  function finalReplies(replies: readonly (Reply | OutcomeReply)[], outcomes: Outcomes): Reply[] {
    const out: Reply[] = [];
    for (const r of replies) {
      if (r.type !== "outcome") {
        out.push(r);
        continue;
      }
      const text = outcomes[r.of];
      if (text) out.push({ type: "text", text, ...(r.options ? { options: r.options } : {}) });
    }
    return out;
  }

  /** The engine's result on a cached conversation's state, computed before its claim (cachedStep). */
  interface RanOnCache {
    state: DialogState;
    result: StepResult;
  }

  /** What a step needs before its effects: the claimed update's conversation and the engine's result. */
  interface Begun {
    conv: LoadedConversation;
    state: DialogState;
    result: StepResult;
  }

  /** Claims the update, loads or creates the conversation and runs the engine; null for a re-delivery. */
  async function begin(tx: Tx, ctx: InboundContext, event: InboundEvent, now: Date, loaded: Catalog, ran?: RanOnCache): Promise<Begun | null> {
    const claim = { channel: ctx.channel, updateKey: ctx.updateKey, now, journalKeys: journalKeysOf(ctx) };
    const hint = pickLocale(ctx.locale);
    const cached = conversations.get(ctx.channel, ctx.chatId);
    let conv: LoadedConversation;
    if (cached && (await claimUpdate(tx, engine, { ...claim, unchanged: cached }))) {
      conv = { id: cached.id, state: cached.state, resetReason: null, seq: cached.state.seq };
    } else {
      // Not cached, changed since (another instance, an erasure), or a re-delivery: read it.
      if (cached) conversations.delete(ctx.channel, ctx.chatId);
      if (!(await claimUpdate(tx, engine, cached ? { ...claim, journalKeys: [] } : claim))) return null;
      conv = await loadOrCreateConversation(tx, {
        channel: ctx.channel,
        chatId: ctx.chatId,
        userId: ctx.userId,
        locale: hint,
        isTest: ctx.isTest ?? false,
        now,
      });
    }
    const state = conv.state ?? initialState(hint, conv.seq);
    // The engine is pure: on the very state cachedStep ran it on, its result is the same.
    return { conv, state, result: ran?.state === state ? ran.result : runEngine(state, ctx, event, now, loaded) };
  }

  function runEngine(state: DialogState, ctx: InboundContext, event: InboundEvent, now: Date, loaded: Catalog): StepResult {
    const engineCtx = engineContext(now, pickLocale(ctx.locale), loaded);
    // Which message this is (or which one was edited): an edit of the last answer is a new answer.
    if (ctx.messageId !== undefined) engineCtx.messageId = ctx.messageId;
    return step(state, event, engineCtx);
  }

  /** What the channel hears of an applied step. */
  function handledStep(next: DialogState, replies: Reply[], urgent: boolean, deliveryId: number | undefined): HandleResult {
    return {
      type: "handled",
      replies,
      locale: next.locale,
      urgent,
      ...(deliveryId !== undefined ? { deliveryId } : {}),
      ...(isResting(next) ? { resting: true as const } : {}),
    };
  }

  /** Effects that are one plain row each: written in the step's transaction, or in its cached commit. */
  function rowOf(effect: RowEffect, ctx: InboundContext, conversationId: string, now: Date): StepRow {
    return effect.type === "recordConsent"
      ? consentRow({ channel: ctx.channel, userId: ctx.userId, consent: effect.consent, sourceUpdateId: ctx.updateKey, now })
      : inboundRow(conversationId, effect.text, now);
  }

  function logStep(ulog: UpdateLog, begun: Begun, next: DialogState): void {
    const { conv, state, result } = begun;
    if (conv.resetReason && conv.resetReason !== "missing") ulog.warn({ conversationId: conv.id, reason: conv.resetReason }, "dialog state reset");
    ulog.info({ conversationId: conv.id, from: state.step, to: next.step, seq: next.seq, effects: result.effects.map((e) => e.type) }, "dialog step");
  }

  /**
   * Most updates: a messenger's answer in mid-dialog, a step whose only effects are plain rows (a
   * consent record, a transcript message). It is run on the conversation as cached (or read just
   * now, outside any transaction; a chat's first update: on a new state) and committed without an
   * interactive transaction (commitCachedStep). Otherwise the step takes the full way: `full`,
   * with the engine's result when it ran (a step with other effects), or without it when the
   * claim failed (the conversation read again).
   */
  async function cachedStep(
    ctx: InboundContext,
    event: InboundEvent,
    now: Date,
    loaded: Catalog,
    ulog: UpdateLog,
  ): Promise<{ type: "done"; handled: HandleResult } | { type: "full"; ran?: RanOnCache }> {
    // Under a chat's claim (webhook mode on several instances) the claim goes in the same statement.
    if (currentChatClaim()) return { type: "full" };
    const known = await knownConversation(ctx);
    if (!known) return { type: "full" };
    const { base, state } = known;
    const result = runEngine(state, ctx, event, now, loaded);
    const ran = { state, result };
    // Row effects (a consent record, a transcript message) ride in the same commit; others need the full way.
    const rowEffects = result.effects.filter(isRowEffect);
    if (rowEffects.length < result.effects.length || forgetsPersonalAnswers(state, result.state)) return { type: "full", ran };
    const next = result.state;
    const replies = finalReplies(result.replies, {});
    const urgent = isUrgentStep(event, result);
    const reply = replyRow(ctx, replies, { locale: next.locale, urgent, seq: next.seq });
    if (!reply) return { type: "full", ran };
    const text = serializeState(next);
    const deliveryId = await commitCachedStep(db, engine, {
      channel: ctx.channel,
      updateKey: ctx.updateKey,
      now,
      journalKeys: journalKeysOf(ctx),
      cached: base,
      save: { state: next, text, userId: ctx.userId },
      rows: rowEffects.map((e) => rowOf(e, ctx, base.id, now)),
      reply,
    });
    if (deliveryId === null) {
      conversations.delete(ctx.channel, ctx.chatId);
      return { type: "full" };
    }
    conversations.set(ctx.channel, ctx.chatId, { id: base.id, text, state: next });
    logStep(ulog, { conv: { id: base.id, state, resetReason: null, seq: state.seq }, state, result }, next);
    return { type: "done", handled: handledStep(next, replies, urgent, deliveryId) };
  }

  /**
   * The conversation a cached-way step starts from: the cached one; else read (one statement, no
   * transaction held) and cached, so the full way's claim can use it unread too; or none yet (a new
   * id and the first state). Null: a stored state that cannot be read (the full way resets it).
   */
  async function knownConversation(ctx: InboundContext): Promise<{ base: StepBase; state: DialogState } | null> {
    let cached = conversations.get(ctx.channel, ctx.chatId);
    if (!cached) {
      const read = await readConversation(db, ctx.channel, ctx.chatId);
      if (read.type === "unreadable") return null;
      if (read.type === "absent") {
        const base = { type: "absent" as const, id: randomUUID(), chatId: ctx.chatId, isTest: ctx.isTest ?? false };
        return { base, state: initialState(pickLocale(ctx.locale), 0) };
      }
      cached = read.conversation;
      conversations.set(ctx.channel, ctx.chatId, cached);
    }
    return { base: { type: "unchanged", id: cached.id, text: cached.text }, state: cached.state };
  }

  async function handleOnce(ctx: InboundContext, event: InboundEvent, ulog: UpdateLog): Promise<HandleResult> {
    const now = clock();
    // "Did this help?" buttons under a closing message: counted anonymously, the dialog untouched.
    if (event.type === "option" && isRatingPress(event.token)) return await answerRating(ctx, event.token, now, ulog);
    const loaded = await loadCatalog(now);
    const quick = await cachedStep(ctx, event, now, loaded, ulog);
    if (quick.type === "done") return quick.handled;
    let erased = false;
    let saved: CachedConversation | undefined;
    const handled = await db.$transaction(
      async (tx) => {
        const begun = await begin(tx, ctx, event, now, loaded, quick.ran);
        if (!begun) {
          ulog.debug("duplicate update ignored");
          return { type: "duplicate" } as const;
        }
        const { conv, result } = begun;
        // Withdrawal, or answers dropped without consent (declined, a teen): flushed below.
        erased = result.effects.some((e) => e.type === "eraseMyData") || forgetsPersonalAnswers(begun.state, result.state);
        let next = result.state;
        const outcomes: Outcomes = {};
        // Writes the rest of the step does not read back (a new request's notices): with its last statement on PostgreSQL.
        const last: Prisma.Sql[] = [];
        for (const effect of result.effects) {
          if (isRowEffect(effect)) {
            await tx.$executeRaw(rowOf(effect, ctx, conv.id, now)());
            continue;
          }
          const out = await applyEffect(tx, effect, { ctx, conversationId: conv.id, locale: next.locale, now, snapshot: loaded.snapshot, last });
          if (out) {
            outcomes[out.of] = out.text;
            if (out.requestNumber) next = { ...next, requestNumber: out.requestNumber };
          }
        }
        saved = { id: conv.id, text: serializeState(next), state: next };
        const save = conversationUpdate(conv.id, next, saved.text, now, ctx.userId);
        logStep(ulog, begun, next);
        const replies = finalReplies(result.replies, outcomes);
        const urgent = isUrgentStep(event, result);
        // PostgreSQL: the state's UPDATE and the last writes ride in the outbox row's statement (one round trip).
        const withReply = engine === "postgresql" && replies.length > 0 && ctx.delivery !== undefined && (ctx.channel === "telegram" || ctx.channel === "max");
        if (!withReply) for (const write of [...last, save]) await tx.$executeRaw(write);
        const deliveryId = await finishDelivery(tx, ctx, now, replies, { locale: next.locale, urgent, seq: next.seq, ...(withReply ? { before: [save, ...last] } : {}) });
        return handledStep(next, replies, urgent, deliveryId);
      },
      { timeout: 20_000 },
    );
    if (saved) conversations.set(ctx.channel, ctx.chatId, saved);
    // Withdrawal: push the overwritten pages out of the WAL so the erased values survive nowhere.
    if (erased) await flushErasure(db);
    return handled;
  }

  async function handle(ctx: InboundContext, event: InboundEvent): Promise<HandleResult> {
    const ulog = logForUpdate(log, { channel: ctx.channel, updateKey: ctx.updateKey, event: event.type });
    // A step whose transaction fails (an overloaded PostgreSQL: a pool or transaction timeout; a
    // long SQLite lock) is tried again here, a little later; nothing of a failed attempt was kept.
    // After the last attempt the update stays in the inbound journal and is tried again from there
    // (inbound-journal.ts, `retryStale`), without waiting for a restart.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await handleOnce(ctx, event, ulog);
      } catch (err) {
        // The cached state may be what the failed attempt was built on: read it again.
        conversations.delete(ctx.channel, ctx.chatId);
        // Only the error class and code: messages of DB errors may quote values.
        const info = { errName: (err as Error).name, errCode: (err as { code?: string }).code, attempt };
        if (attempt < STEP_ATTEMPTS) {
          ulog.warn(info, "dialog update failed; trying again");
          await sleep(250 * 4 ** (attempt - 1));
          continue;
        }
        ulog.error(info, "dialog update failed");
        return { type: "handled", replies: [{ type: "text", text: i18n.t(pickLocale(ctx.locale), "error-generic") }], failed: true };
      }
    }
  }

  /** One press of a rating button, deduped like any update; never logs which answer was given. */
  function answerRating(ctx: InboundContext, token: string, now: Date, ulog: UpdateLog): Promise<HandleResult> {
    return db.$transaction(async (tx) => {
      if (!(await claimUpdate(tx, engine, { channel: ctx.channel, updateKey: ctx.updateKey, now, journalKeys: journalKeysOf(ctx) }))) {
        return { type: "duplicate" } as const;
      }
      const pressed = await recordRatingPress(tx, token, now);
      const conv = await tx.conversation.findFirst({ where: { channel: ctx.channel, chatId: ctx.chatId }, select: { locale: true } });
      const locale = pickLocale(conv?.locale ?? ctx.locale);
      ulog.info({ result: pressed.type }, "help rating press");
      const key = pressed.type === "counted" ? "handoff-family-rating-thanks" : "handoff-family-rating-stale";
      const replies: Reply[] = [{ type: "text", text: i18n.t(locale, key) }];
      const deliveryId = await finishDelivery(tx, ctx, now, replies, { locale });
      return { type: "handled", replies, locale, aside: true, ...(deliveryId !== undefined ? { deliveryId } : {}) } as const;
    });
  }

  interface ApplyEnv {
    ctx: InboundContext;
    conversationId: string;
    locale: Locale;
    now: Date;
    snapshot: RoutingSnapshot;
    /** The step's writes that can wait for its last statement. */
    last: Prisma.Sql[];
  }

  async function applyEffect(
    tx: Tx,
    effect: Exclude<Effect, RowEffect>,
    env: ApplyEnv,
  ): Promise<{ of: OutcomeReply["of"]; text: string; requestNumber?: string } | null> {
    const { ctx, now, locale } = env;
    const t = (key: string, args?: Record<string, string | number>) => i18n.t(locale, key, args);
    switch (effect.type) {
      case "createRequest": {
        const created = await createRequest(tx, {
          request: effect.request,
          snapshot: env.snapshot,
          now,
          channel: ctx.channel,
          conversationId: env.conversationId,
          consentId: activeConsentSql(ctx.channel, ctx.userId),
          isTest: ctx.isTest ?? false,
          engine,
        });
        // The center's operators' chats are told in the same transaction (via the outbox).
        for (const notice of newRequestNotices(noticeDeps, created.notice)) env.last.push(deliveryInsertSql(notice, now));
        log.info({ requestId: created.id, urgency: created.urgency, queueId: created.decision.queue.id, reason: created.decision.reason }, "request created");
        const text = renderConfirmation(i18n, locale, {
          number: created.number,
          urgency: created.urgency as Urgency,
          decision: created.decision,
          routing: env.snapshot,
          now,
        });
        return { of: "createRequest", text, requestNumber: created.number };
      }
      case "showStatus": {
        const rows = await tx.request.findMany({
          where: { OR: [{ conversation: { channel: ctx.channel, userId: ctx.userId } }, { consent: { channel: ctx.channel, userId: ctx.userId } }] },
          orderBy: { id: "asc" },
          select: { number: true, status: true, createdAt: true },
        });
        if (rows.length === 0) return { of: "showStatus", text: t("status-none") };
        const fmt = new Intl.DateTimeFormat(locale === "ru" ? "ru-RU" : "en-GB", { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Europe/Moscow" });
        const lines = [t("status-list", { count: rows.length })];
        for (const r of rows) lines.push(t("status-line", { number: r.number, date: fmt.format(r.createdAt), status: t(`status-${r.status}`) }));
        return { of: "showStatus", text: lines.join("\n") };
      }
      case "eraseMyData": {
        await withdrawConsents(tx, { channel: ctx.channel, userId: ctx.userId, updateKey: ctx.updateKey, now });
        const res = await erasePersonalData(tx, { channel: ctx.channel, userId: ctx.userId, reason: "withdrawal", byWhom: "family", now });
        log.info({ requests: res.requestIds.length, transcriptMessages: res.transcriptMessages }, "personal data erased on withdrawal");
        return { of: "eraseMyData", text: t("erase-done", { count: res.requestIds.length }) };
      }
      case "escalateRequest": {
        const req = await tx.request.findFirst({
          where: { conversationId: env.conversationId, status: { in: [...OPEN_STATUSES] } },
          orderBy: { id: "desc" },
        });
        if (!req) return effect.ifOpen ? null : { of: "escalateRequest", text: t("escalate-none") };
        // Raised to the reasons' level (never lowered), the reasons recorded, and for P0 the
        // center's chats alerted — all in this transaction.
        const from = isUrgency(req.urgency) ? req.urgency : "P2";
        const to = maxUrgency(from, effect.level);
        const reasons = effect.reasons.reduce(mergeReason, parseUrgencyReasons(req.urgencyReasons));
        const flags = JSON.parse(req.flags || "[]") as string[];
        if (reasons.some((x) => x.dangerNow) && !flags.includes("danger_now")) flags.push("danger_now");
        const soon = new Date(now.getTime() + (to === "P0" ? 1 : 24) * 60 * 60 * 1000);
        await tx.request.update({
          where: { id: req.id },
          data: {
            urgency: to,
            dueAt: to === from || req.dueAt < soon ? req.dueAt : soon,
            urgencyReasons: JSON.stringify(reasons),
            flags: JSON.stringify(flags),
          },
        });
        if (effect.level === "P0") await enqueueEscalationNotices(tx, noticeDeps, req.id, effect.reasons, ctx.updateKey, now);
        await writeAudit(tx, {
          at: now,
          actor: { type: "family" },
          action: "request.escalate_red_flag",
          entityType: "request",
          entityId: String(req.id),
          regionCode: req.regionCode,
          requestId: req.id,
          details: { from: req.urgency, to, reasons: effect.reasons.map((x) => x.code) },
        });
        return { of: "escalateRequest", text: t("escalate-done", { number: req.number }) };
      }
      case "keepAttachment": {
        // Kept with the open request and its download queued, in this transaction (attachments.ts).
        const kept = await keepAttachment(tx, {
          conversationId: env.conversationId,
          channel: ctx.channel,
          chatId: ctx.chatId,
          file: effect.file,
          ...(effect.mark ? { mark: effect.mark } : {}),
          updateKey: ctx.updateKey,
          now,
          notices: noticeDeps,
        });
        log.info({ result: kept.type, kind: effect.file.kind }, "family file");
        if (kept.type === "no_request") return { of: "keepAttachment", text: t("file-no-request") };
        // The rest of an album: the first file's acknowledgement covers it.
        if (kept.type === "kept" && kept.quiet) return null;
        const key = kept.type === "kept" ? "file-kept" : kept.type === "too_large" ? "file-too-large" : "file-too-many";
        return { of: "keepAttachment", text: t(key, { number: kept.requestNumber }) };
      }
    }
  }

  return {
    handle,
    invalidateCatalog() {
      cached = null;
      loading = null;
      catalogGeneration += 1;
    },
  };
}
