// Parity: the same scripted conversation through Telegram and through MAX (one dialog service,
// one database) produces the same request, differing only in channel identifiers.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import {
  type FakeTelegramApi,
  type FakeUser as TgUser,
  startFakeTelegramApi,
} from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { Family, type Harness, i18n, log, startHarness } from "./harness.ts";

const CONSENT_VERSION = "2025-09-parity";

/** The steps both channels go through: what a person presses, types or shares. */
type Step = { press: string | RegExp } | { say: string } | { share: string } | { start: string };

const SCRIPTS: Record<string, Step[]> = {
  "family conflict in Сызрань, own contact": [
    { start: "63" },
    { press: "more" },
    { press: "c:family_conflict" },
    { press: "no" },
    { press: /^Сызрань$/ },
    { press: "give" },
    { say: "Сын-подросток не слушается, постоянные ссоры" },
    { share: "79991234567" },
    // The name and how/when to contact, from the summary.
    { press: "e:name" },
    { say: "Мария" },
    { press: "e:contact" },
    { press: "call" },
    { press: "evening" },
    { press: "submit" },
  ],
  "violence happening now, region typed, phone typed": [
    { start: "" },
    { press: "c:violence" },
    { press: "yes" },
    { press: "unsafe" },
    { say: "Тюменская область" }, // no town asked: no Tyumen rule depends on it
    { say: "Муж бьёт, боюсь за детей" },
    { press: "give" }, // the urgent path asks no name
    { say: "8 912 345-67-89" }, // the urgent path submits right away
  ],
};

interface Driver {
  run(step: Step): Promise<void>;
}

/** Telegram side: updates straight into the channel (it resolves when the update is processed). */
function telegramDriver(api: FakeTelegramApi, channel: TelegramChannel, user: TgUser): Driver {
  const handle = (u: Parameters<FakeTelegramApi["stamp"]>[0]) => channel.handleUpdate(api.stamp(u));
  return {
    async run(step) {
      if ("start" in step) return handle(api.text(user, step.start ? `/start ${step.start}` : "/start"));
      if ("say" in step) return handle(api.text(user, step.say));
      if ("share" in step) return handle(api.contact(user, step.share, user.id));
      const match = (b: { text: string; callback_data?: string }) =>
        step.press instanceof RegExp
          ? step.press.test(b.text)
          : new RegExp(`^\\d+\\.${step.press}$`).test(b.callback_data ?? "");
      for (const m of [...api.sentTo(user.id)].reverse()) {
        const rows = (m.reply_markup?.inline_keyboard ?? []) as { text: string; callback_data?: string }[][];
        const button = rows.flat().find(match);
        if (button?.callback_data) return handle(api.press(user, m.message_id, button.callback_data));
      }
      const last = api
        .sentTo(user.id)
        .slice(-3)
        .map((m) => m.text.slice(0, 200));
      throw new Error(`telegram: no button ${String(step.press)}; last: ${JSON.stringify(last)}`);
    },
  };
}

function maxDriver(f: Family): Driver {
  return {
    async run(step) {
      if ("start" in step) return f.start(step.start || undefined);
      if ("say" in step) return f.say(step.say);
      if ("share" in step) return f.share({ phone: step.share });
      await f.press(step.press);
    },
  };
}

let tmp: TempDb;
let service: DialogService;
let tgApi: FakeTelegramApi;
let tg: TelegramChannel;
let h: Harness;

beforeEach(async () => {
  tmp = await createTempDb();
  await loadDemoRoutingIfEmpty(tmp.db, log);
  service = createDialogService({
    db: tmp.db,
    log,
    i18n,
    clock: () => new Date(),
    config: {
      consentVersion: CONSENT_VERSION,
      publicBaseUrl: "https://opora.example",
      operatorName: "ГБУ «Опора»",
    },
  });
  tgApi = await startFakeTelegramApi();
  tg = createTelegramChannel({
    token: tgApi.token,
    apiRoot: tgApi.apiRoot,
    service,
    db: tmp.db,
    log,
    i18n,
    mode: { type: "webhook", secret: "tg-secret" },
    throttle: false,
  });
  await tg.start();
  h = await startHarness({ service, db: tmp.db, mode: "webhook" });
});
afterEach(async () => {
  await tg.stop();
  await tgApi.close();
  await h.close();
  await tmp.cleanup();
});

describe("Telegram ⇄ MAX parity", () => {
  it.each(Object.entries(SCRIPTS))("%s", async (name, script) => {
    const tgDriver = telegramDriver(tgApi, tg, { id: 5551, language_code: "ru" });
    const mxDriver = maxDriver(new Family(h, { userId: 5552, chatId: 6662, locale: "ru" }));
    for (const step of script) {
      await tgDriver.run(step);
      await mxDriver.run(step);
    }
    await tg.idle();
    await h.settle();
    const requests = await tmp.db.request.findMany({ include: { consent: true }, orderBy: { id: "asc" } });
    const byChannel = (c: string) => requests.filter((r) => r.channel === c);
    expect(byChannel("telegram")).toHaveLength(1);
    expect(byChannel("max")).toHaveLength(1);
    const essence = (r: (typeof requests)[number]) => ({
      categories: JSON.parse(r.categories),
      urgency: r.urgency,
      flags: JSON.parse(r.flags),
      regionCode: r.regionCode,
      municipalityId: r.municipalityId,
      queueId: r.queueId,
      ruleId: r.ruleId,
      routingReason: r.routingReason,
      consentVersion: r.consent?.textVersion,
      consentHash: r.consent?.textHash,
      contactPhone: r.contactPhone,
      contactName: r.contactName,
      contactMethod: r.contactMethod,
      contactTime: r.contactTime,
      description: r.description,
    });
    const t = essence(byChannel("telegram")[0]!);
    const m = essence(byChannel("max")[0]!);
    expect(m).toEqual(t);
    expect(t.consentVersion).toBe(CONSENT_VERSION);
    expect(t.urgency).toBe(name.startsWith("violence") ? "P0" : "P2");
    expect(t.contactPhone).toMatch(/^\+7\d{10}$/);
    // Only the channel identifiers differ.
    expect(byChannel("telegram")[0]!.consent?.userId).toBe("5551");
    expect(byChannel("max")[0]!.consent?.userId).toBe("5552");
  });
});
