// The peer build for the benchmark: the same triage written the conventional grammY way — one
// `@grammyjs/conversations` conversation (the plugin replays it from the start on every update and
// keeps its log in a Prisma session storage, one read and one write per update), run concurrently
// across chats by `@grammyjs/runner` with `sequentialize` per chat, grammY's own HTTP client.
// Same dialog as Opora's (ten updates a family since issue 12), same questions, buttons
// ("<step>.<id>") and messages, and the same Bot API calls, so the simulated families of
// bench/telegram-families.ts drive it unchanged; at the end one transaction numbers and stores the
// request. Simplified where the script never goes (several topics, editing answers, urgent paths,
// under-18s, other languages).
import {
  type Conversation,
  type ConversationData,
  type ConversationFlavor,
  conversations,
  type VersionedState,
  createConversation,
} from "@grammyjs/conversations";
import { run, sequentialize } from "@grammyjs/runner";
import { Bot, type Context } from "grammy";
import type { InlineKeyboardButton, UserFromGetMe } from "grammy/types";
import { PrismaAdapter } from "@grammyjs/storage-prisma";
import type { Db, DbTarget } from "../../src/db/client.ts";
import { openPeerDb } from "./peer-client.ts";
import { CATEGORY_PAGES, categoriesQuestion, T, WELCOME } from "./peer-texts.ts";
import { rawSqlStorage } from "./raw-sql-storage.ts";

type BotCtx = ConversationFlavor<Context>;
type Convo = Conversation<BotCtx, Context>;
type Button = [id: string, label: string];
type Row = Button[];

export interface PeerBot {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Where the conversations plugin keeps its log: "adapter" is the published @grammyjs/storage-prisma
 * over a `Session` model (the obvious build); "raw-sql" the same table through typed raw SQL, a
 * hand-tuned variant kept to show how much of the gap is the adapter's model queries.
 */
export type PeerSessions = "adapter" | "raw-sql";

export async function createPeerBot(opts: {
  token: string;
  apiRoot: string;
  target: DbTarget;
  botInfo: UserFromGetMe;
  sessions?: PeerSessions;
}): Promise<PeerBot> {
  const db = await openPeerDb(opts.target);
  const bot = new Bot<BotCtx>(opts.token, { client: { apiRoot: opts.apiRoot }, botInfo: opts.botInfo });
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  type Log = VersionedState<ConversationData>;
  const adapter = opts.sessions === "raw-sql" ? rawSqlStorage<Log>(db) : new PrismaAdapter<Log>(db.session);
  bot.use(conversations({ storage: { type: "key", adapter } }));
  bot.use(createConversation(triage(db), "triage"));
  // `bot.command` needs the bot_command entity, which the fake API's text updates do not carry.
  bot.hears(/^\/start(?:\s|$)/, (ctx) => ctx.conversation.enter("triage"));
  bot.catch((err) => console.error("peer bot:", err.message));
  let runner: ReturnType<typeof run> | undefined;
  return {
    async start() {
      runner = run(bot, { runner: { fetch: { timeout: 5 } } });
    },
    async stop() {
      await runner?.stop();
      await db.$disconnect();
    },
  };
}

function triage(db: Db) {
  return async (conversation: Convo, first: Context) => {
    const chatId = first.chat!.id;
    let seq = 0;
    let keyboardMessage: number | undefined;

    const inline = (rows: Row[], extra: InlineKeyboardButton[][] = []) => ({
      inline_keyboard: [
        ...rows.map((r) => r.map(([id, text]) => ({ text, callback_data: `${seq}.${id}` }))),
        [{ text: T.sos, callback_data: `${seq}.sos` }],
        ...extra,
      ],
    });
    /** Clears the previous question's buttons and asks the next one. */
    const ask = async (ctx: Context, text: string, rows: Row[], extra?: InlineKeyboardButton[][]) => {
      seq += 1;
      if (keyboardMessage !== undefined)
        await ctx.api.editMessageReplyMarkup(chatId, keyboardMessage, {
          reply_markup: { inline_keyboard: [] },
        });
      const sent = await ctx.reply(text, {
        reply_markup: inline(rows, extra),
        link_preview_options: { is_disabled: true },
      });
      keyboardMessage = sent.message_id;
    };
    const say = (ctx: Context, text: string) =>
      ctx.reply(text, { link_preview_options: { is_disabled: true } });
    /** The next press on the current question (stale presses are answered and ignored). */
    const press = async (): Promise<{ ctx: Context; id: string }> => {
      for (;;) {
        const ctx = await conversation.waitFor("callback_query:data");
        await ctx.answerCallbackQuery();
        const [step, id = ""] = ctx.callbackQuery.data.split(/\.(.*)/s);
        if (Number(step) !== seq) continue;
        if (id === "sos") {
          await say(ctx, T.emergency);
          continue;
        }
        return { ctx, id };
      }
    };
    const text = async (): Promise<{ ctx: Context; text: string; skipped: boolean }> => {
      for (;;) {
        const ctx = await conversation.waitFor(["message:text", "callback_query:data"]);
        if (ctx.message?.text !== undefined) return { ctx, text: ctx.message.text, skipped: false };
        await ctx.answerCallbackQuery();
        if (ctx.callbackQuery?.data === `${seq}.skip`) return { ctx, text: "", skipped: true };
      }
    };

    // Categories on two pages; a press picks one (the script never takes «Несколько тем»).
    await say(first, WELCOME);
    let page = 0;
    const categoryRows = (): Row[] => [
      ...CATEGORY_PAGES[page]!.map(([code, label]): Row => [[`c:${code}`, label]]),
      [page === 0 ? ["more", T.more] : ["less", T.less]],
      [["multi", T.multi]],
    ];
    await ask(first, categoriesQuestion(page), categoryRows());
    let ctx: Context;
    let category = "";
    for (;;) {
      const p = await press();
      ctx = p.ctx;
      if (p.id.startsWith("c:")) {
        category = p.id.slice(2);
        break;
      }
      if (p.id !== "more" && p.id !== "less") continue;
      // Another page replaces the question in place, as Opora does.
      page = p.id === "more" ? 1 : 0;
      seq += 1;
      await ctx.editMessageText(categoriesQuestion(page), {
        reply_markup: inline(categoryRows()),
        link_preview_options: { is_disabled: true },
      });
    }

    await ask(ctx, T.danger, [
      [
        ["yes", T.yes],
        ["no", T.no],
      ],
      [["minor", T.minor]],
    ]);
    const danger = await press();
    if (danger.id === "yes") await say(danger.ctx, T.emergency);

    // Region typed as text, looked up in the database; then the municipality.
    await ask(danger.ctx, T.region, []);
    let region: {
      code: string;
      name: string;
      center: string;
      centerPhone: string;
      municipalities: Array<{ id: string; name: string }>;
    } | null = null;
    while (!region) {
      const answer = await conversation.waitFor("message:text");
      ctx = answer;
      region = await conversation.external(() => findRegion(db, answer.message.text.trim()));
      if (!region) await say(ctx, T.regionUnknown);
    }
    const where = region;
    await ask(ctx, T.municipality(where.name), [
      ...where.municipalities.map((m): Row => [[`m:${m.id}`, m.name]]),
      [["other", T.other]],
    ]);
    const municipality = await press();
    const municipalityId = municipality.id.startsWith("m:") ? municipality.id.slice(2) : null;

    await ask(
      municipality.ctx,
      T.consent(where.center),
      [[["give", T.give]], [["decline", T.decline]]],
      [[{ text: T.consentLink, url: "http://127.0.0.1/consent/bench-1?lang=ru" }]],
    );
    const consent = await press();
    if (consent.id !== "give") return; // the real bot explains and offers information; the script never declines
    const consentId = await conversation.external(() =>
      recordConsent(db, String(first.from!.id), where.center, String(consent.ctx.update.update_id)),
    );

    await ask(consent.ctx, T.description, [[["skip", T.skip]]]);
    const description = await text();

    seq += 1;
    await description.ctx.api.editMessageReplyMarkup(chatId, keyboardMessage!, {
      reply_markup: { inline_keyboard: [] },
    });
    keyboardMessage = undefined;
    await description.ctx.reply(T.phone, {
      reply_markup: {
        keyboard: [[{ text: T.sharePhone, request_contact: true }], [{ text: T.noPhone }], [{ text: T.sos }]],
        one_time_keyboard: true,
        resize_keyboard: true,
      },
      link_preview_options: { is_disabled: true },
    });
    const phoneAnswer = await conversation.waitFor(["message:contact", "message:text"]);
    const phone = phoneAnswer.message?.contact?.phone_number ?? phoneAnswer.message?.text ?? "";
    await phoneAnswer.reply(T.accepted, {
      reply_markup: { remove_keyboard: true },
      link_preview_options: { is_disabled: true },
    });

    const topics = CATEGORY_PAGES.flat().find(([code]) => code === category)?.[1] ?? "";
    await ask(
      phoneAnswer,
      T.summary({ topics, region: where.name, description: description.text, phone }),
      [[["submit", T.submit]], ...[0, 2, 4].map((i) => T.edits.slice(i, i + 2))],
    );
    for (;;) {
      const p = await press();
      ctx = p.ctx;
      if (p.id === "submit") break;
    }
    const number = await conversation.external(() =>
      createRequest(db, {
        regionCode: where.code,
        municipalityId,
        categories: [category],
        flags: [],
        urgency: danger.id === "yes" ? "P0" : "P2",
        description: description.skipped ? null : description.text,
        contactName: null,
        contactPhone: phone,
        contactMethod: "call",
        contactTime: "any",
        consentId,
      }),
    );
    await ask(ctx, T.submitted(number, where.center, where.centerPhone), [[["status", T.myRequests]]]);
  };
}

async function findRegion(db: Db, typed: string) {
  const region = await db.region.findFirst({
    where: { OR: [{ code: typed }, { name: typed }] },
    select: {
      code: true,
      name: true,
      municipalities: { where: { active: true }, select: { id: true, name: true }, take: 8 },
    },
  });
  if (!region) return null;
  const center = await db.center.findFirst({
    where: { regionCode: region.code, active: true },
    select: { name: true, publicPhone: true },
  });
  return {
    code: region.code,
    name: region.name,
    center: center?.name ?? "",
    centerPhone: center?.publicPhone ?? "",
    municipalities: region.municipalities,
  };
}

async function recordConsent(db: Db, userId: string, center: string, updateId: string): Promise<string> {
  const row = await db.consentRecord.create({
    data: {
      channel: "telegram",
      userId,
      decision: "given",
      textVersion: "bench-1",
      textHash: "peer",
      operatorName: "Opora bench",
      purposes: JSON.stringify(["contact"]),
      dataList: JSON.stringify(["name", "phone", "description"]),
      recipients: JSON.stringify([center]),
      term: "180d",
      withdrawalMethod: "/revoke",
      sourceUpdateId: updateId,
      givenAt: new Date(),
    },
    select: { id: true },
  });
  return row.id;
}

/** One transaction: the next number of the region, the default queue, the request. */
async function createRequest(
  db: Db,
  r: {
    regionCode: string;
    municipalityId: string | null;
    categories: string[];
    flags: string[];
    urgency: string;
    description: string | null;
    contactName: string | null;
    contactPhone: string;
    contactMethod: string;
    contactTime: string;
    consentId: string;
  },
): Promise<string> {
  return db.$transaction(async (tx) => {
    const counter = await tx.requestNumberCounter.upsert({
      where: { regionCode: r.regionCode },
      create: { regionCode: r.regionCode, last: 1 },
      update: { last: { increment: 1 } },
    });
    const queue = await tx.queue.findFirstOrThrow({
      where: { isDefault: true, active: true, center: { regionCode: r.regionCode } },
      select: { id: true },
    });
    const number = `${r.regionCode}-${String(counter.last).padStart(5, "0")}`;
    await tx.request.create({
      data: {
        number,
        channel: "telegram",
        categories: JSON.stringify(r.categories),
        urgency: r.urgency,
        flags: JSON.stringify(r.flags),
        regionCode: r.regionCode,
        municipalityId: r.municipalityId,
        description: r.description,
        contactName: r.contactName,
        contactPhone: r.contactPhone,
        contactMethod: r.contactMethod,
        contactTime: r.contactTime,
        queueId: queue.id,
        routingReason: "region_default",
        routingExplanation: "peer: the region's default queue",
        consentId: r.consentId,
        dueAt: new Date(Date.now() + 3 * 24 * 3600 * 1000),
      },
    });
    return number;
  });
}
