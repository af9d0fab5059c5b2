// The peer build for the benchmark: the same triage written the conventional grammY way — one
// `@grammyjs/conversations` conversation (the plugin replays it from the start on every update and
// keeps its log in a Prisma-backed storage, one read and one write per update), run concurrently
// across chats by `@grammyjs/runner` with `sequentialize` per chat, grammY's own HTTP client.
// Same questions, buttons ("<step>.<id>") and messages as Opora, so the simulated families of
// bench/telegram-families.ts drive it unchanged; at the end one transaction numbers and stores the
// request. Simplified where the script never goes (editing answers, urgent paths, other languages).
import {
  type Conversation,
  type ConversationFlavor,
  conversations,
  createConversation,
} from "@grammyjs/conversations";
import { run, sequentialize } from "@grammyjs/runner";
import { Bot, type Context } from "grammy";
import type { InlineKeyboardButton, UserFromGetMe } from "grammy/types";
import type { Db } from "../../src/db/client.ts";
import { CATEGORY_PAGES, categoriesQuestion, FAMILY_FLAGS, T, WELCOME } from "./peer-texts.ts";
import { createPeerStorageTable, prismaStorage } from "./prisma-storage.ts";

type BotCtx = ConversationFlavor<Context>;
type Convo = Conversation<BotCtx, Context>;
type Button = [id: string, label: string];
type Row = Button[];

export interface PeerBot {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createPeerBot(opts: {
  token: string;
  apiRoot: string;
  db: Db;
  botInfo: UserFromGetMe;
}): Promise<PeerBot> {
  const { db } = opts;
  await createPeerStorageTable(db);
  const bot = new Bot<BotCtx>(opts.token, { client: { apiRoot: opts.apiRoot }, botInfo: opts.botInfo });
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  bot.use(conversations({ storage: { type: "key", adapter: prismaStorage(db) } }));
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

    // Categories, two pages, several may be chosen.
    await say(first, WELCOME);
    const chosen: string[] = [];
    let page = 0;
    const categoryRows = (): Button[] => [
      ...CATEGORY_PAGES[page]!.map(([code, label]): [string, string] => [
        `c:${code}`,
        chosen.includes(code) ? `✓ ${label}` : label,
      ]),
      page === 0 ? ["more", T.more] : ["less", T.less],
      ["done", chosen.length ? T.doneCount(chosen.length) : T.done],
    ];
    await ask(
      first,
      categoriesQuestion(page),
      categoryRows().map((r) => [r]),
    );
    let ctx: Context;
    for (;;) {
      const p = await press();
      ctx = p.ctx;
      if (p.id === "done" && chosen.length) break;
      if (p.id === "more") page = 1;
      else if (p.id === "less") page = 0;
      else if (p.id.startsWith("c:")) {
        const code = p.id.slice(2);
        const at = chosen.indexOf(code);
        if (at >= 0) chosen.splice(at, 1);
        else chosen.push(code);
      }
      await ask(
        ctx,
        categoriesQuestion(page),
        categoryRows().map((r) => [r]),
      );
    }

    await ask(ctx, T.danger, [
      [
        ["yes", T.yes],
        ["no", T.no],
      ],
    ]);
    const danger = await press();
    if (danger.id === "yes") await say(danger.ctx, T.emergency);
    await ask(danger.ctx, T.age, [[["adult", T.adult]], [["minor", T.minor]]]);
    const age = await press();

    const flags: string[] = [];
    const flagRows = (): Button[] => [
      ...FAMILY_FLAGS.map(([code, label]): [string, string] => [
        `f:${code}`,
        flags.includes(code) ? `✓ ${label}` : label,
      ]),
      ["none", T.none],
      ["done", T.done],
    ];
    await ask(
      age.ctx,
      T.flags,
      flagRows().map((r) => [r]),
    );
    for (;;) {
      const p = await press();
      ctx = p.ctx;
      if (p.id === "none" || p.id === "done") break;
      const code = p.id.slice(2);
      if (flags.includes(code)) flags.splice(flags.indexOf(code), 1);
      else flags.push(code);
      await ask(
        ctx,
        T.flags,
        flagRows().map((r) => [r]),
      );
    }

    // Region typed as text, looked up in the database; then the municipality.
    await ask(ctx, T.region, []);
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
    await say(ctx, T.regionIs(where.name));
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
    await say(consent.ctx, T.thanks);

    await ask(consent.ctx, T.description, [[["skip", T.skip]]]);
    const description = await text();
    await ask(description.ctx, T.name, [[["skip", T.noName]]]);
    const name = await text();

    seq += 1;
    await name.ctx.api.editMessageReplyMarkup(chatId, keyboardMessage!, {
      reply_markup: { inline_keyboard: [] },
    });
    keyboardMessage = undefined;
    await name.ctx.reply(T.phone, {
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

    await ask(phoneAnswer, T.method, [[["call", T.call]], [["message", T.message]]]);
    const method = await press();
    await ask(method.ctx, T.time, [T.times.slice(0, 2), T.times.slice(2)]);
    const time = await press();
    const timeLabel = T.times.find(([id]) => id === time.id)?.[1] ?? "";
    const topics = chosen.map((c) => CATEGORY_PAGES.flat().find(([code]) => code === c)?.[1]).join(", ");
    await ask(
      time.ctx,
      T.summary({
        topics,
        region: where.name,
        description: description.text,
        name: name.text,
        phone,
        contact: `${method.id === "call" ? T.call : T.message}, ${timeLabel}`,
      }),
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
        categories: chosen,
        flags,
        urgency: danger.id === "yes" ? "P0" : "P2",
        description: description.skipped ? null : description.text,
        contactName: name.skipped ? null : name.text,
        contactPhone: phone,
        contactMethod: method.id,
        contactTime: time.id,
        consentId,
      }),
    );
    await ask(ctx, T.submitted(number, where.center, where.centerPhone), [
      [["status", T.myRequests]],
      [["restart", T.restart]],
    ]);
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
