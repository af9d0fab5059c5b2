// A temp database with minimal routing rows (federal fallback, a Samara center with a default queue
// and the Syzran municipality) and a driver that talks to the real dialog service.
import { afterEach, beforeEach } from "vitest";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { DialogService, HandleResult, InboundContext, InboundEvent, Reply, ReplyOption } from "../../src/dialog/service-types.ts";
import type { Db } from "../../src/db/client.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { i18n } from "./fixture.ts";

export const HOURS = JSON.stringify({ mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]] });

export async function seedRouting(db: Db): Promise<{ samaraQueueId: string; fallbackQueueId: string; syzranId: string }> {
  const fed = await db.center.create({ data: { key: "federal", name: "Федеральная линия", publicPhone: "8-800-000-00-00", is24x7: true } });
  const fq = await db.queue.create({ data: { key: "federal", centerId: fed.id, name: "Федеральная", isFallback: true } });
  const syz = await db.municipality.create({ data: { regionCode: "63", key: "syzran", name: "Сызрань", aliases: JSON.stringify(["Сызрани"]) } });
  const c = await db.center.create({ data: { key: "samara-family", regionCode: "63", name: "Служба «Дети в семье»", publicPhone: "+7 846 000-00-00", hours: HOURS } });
  const q = await db.queue.create({ data: { key: "samara", centerId: c.id, name: "Самара", isDefault: true } });
  return { samaraQueueId: q.id, fallbackQueueId: fq.id, syzranId: syz.id };
}

export type RoutingIds = Awaited<ReturnType<typeof seedRouting>>;

/**
 * A temp database with these routing rows, made before each test (with `operatorsChat` as the
 * Samara center's linked Telegram chat, if given) and removed after it. Read `.db` inside a test.
 */
export function routedDbPerTest(options: { operatorsChat?: string } = {}): { readonly db: Db; readonly ids: RoutingIds; readonly file: string } {
  let tmp: TempDb | undefined;
  let ids: RoutingIds | undefined;
  beforeEach(async () => {
    tmp = await createTempDb();
    ids = await seedRouting(tmp.db);
    if (options.operatorsChat) await tmp.db.center.update({ where: { key: "samara-family" }, data: { notifyTelegramChatId: options.operatorsChat } });
  });
  afterEach(async () => {
    await tmp?.cleanup();
    tmp = undefined;
    ids = undefined;
  });
  const current = () => {
    if (!tmp || !ids) throw new Error("routedDbPerTest: the database exists only inside a test");
    return { tmp, ids };
  };
  return {
    get db() {
      return current().tmp.db;
    },
    get ids() {
      return current().ids;
    },
    /** The SQLite file ("" on PostgreSQL). */
    get file() {
      return current().tmp.file;
    },
  };
}

export const quietLog = createLogger({ level: "silent" });

export function makeService(db: Db, clock: () => Date): DialogService {
  return createDialogService({
    db,
    log: quietLog,
    i18n,
    clock,
    config: { consentVersion: "v1-test", publicBaseUrl: "https://opora.example", operatorName: "АНО «Опора»", catalogTtlMs: 0 },
  });
}

let keyCounter = 0;

/** A person talking to the service over some channel; remembers the options last shown. */
export class Person {
  replies: Reply[] = [];
  lastKey = "";
  constructor(
    public service: DialogService,
    public chatId = "chat-1",
    public channel: InboundContext["channel"] = "console",
  ) {}
  async send(event: InboundEvent, updateKey = `u${++keyCounter}`): Promise<this> {
    this.lastKey = updateKey;
    const res = await this.service.handle({ channel: this.channel, chatId: this.chatId, userId: `user-${this.chatId}`, updateKey, locale: "ru" }, event);
    if (res.type === "handled") this.replies = res.replies;
    return this;
  }
  text(t: string) {
    return this.send({ type: "text", text: t });
  }
  options(): ReplyOption[] {
    return this.replies.flatMap((r) => (r.type === "removeKeyboard" ? [] : (r.options ?? []).flat()));
  }
  async press(id: string): Promise<this> {
    let opt = this.options().find((o) => o.token.endsWith(`.${id}`));
    for (let i = 0; !opt && id.startsWith("c:") && i < 2; i++) {
      await this.press(this.options().some((o) => o.token.endsWith(".more")) ? "more" : "less");
      opt = this.options().find((o) => o.token.endsWith(`.${id}`));
    }
    if (!opt) throw new Error(`no option ${id}; have ${this.options().map((o) => o.token).join(" ")}`);
    return this.send({ type: "option", token: opt.token });
  }
  texts(): string {
    return this.replies.map((r) => (r.type === "removeKeyboard" ? "" : r.text)).join("\n---\n");
  }
}

let messengerKeys = 0;

/** A Telegram user: updates carry their journal keys, so the service writes replies to the outbox. */
export class MessengerPerson extends Person {
  last: HandleResult | undefined;
  override async send(event: InboundEvent, updateKey = `m${++messengerKeys}`): Promise<this> {
    this.lastKey = updateKey;
    this.last = await this.service.handle(
      { channel: "telegram", chatId: this.chatId, userId: this.chatId, updateKey, locale: "ru", delivery: { journalKeys: [updateKey] } },
      event,
    );
    if (this.last.type === "handled") this.replies = this.last.replies;
    return this;
  }
}

/** Hello → the consent screen: family conflict in Samara / Syzran (nothing personal asked yet). */
export async function walkToConsent(p: Person): Promise<void> {
  await p.send({ type: "start" });
  // One topic is one press; the town names the region and its municipality at once.
  await p.press("c:family_conflict");
  await p.press("no");
  await p.text("Сызрань");
}

/** Consent given, then the description (it comes only after consent, design.md §4). */
export async function giveConsentAndDescribe(p: Person, description = "Постоянные ссоры, не знаю, как говорить с сыном."): Promise<void> {
  await p.press("give");
  await p.text(description);
}

/** Hello → summary in Samara / Syzran with consent, name and phone. */
export async function walkToSummary(p: Person): Promise<void> {
  await walkToConsent(p);
  await giveConsentAndDescribe(p);
  await p.send({ type: "contact", phone: "+7 999 123-45-67", own: true });
  // The name and how/when to contact are asked only when edited from the summary.
  await p.press("e:name");
  await p.text("Анна");
  await p.press("e:contact");
  await p.press("call");
  await p.press("evening");
}
