// Consent provable: the bot shows, hashes and /consent serves one text per version and language;
// every stored hash is recomputed from the served text; a published text cannot change quietly.
import { afterEach, describe, expect, it } from "vitest";
import { createAdminPlugin } from "../../src/admin/admin-plugin.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { InboundEvent, Reply } from "../../src/dialog/service-types.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { CONSENT_TEXTS, sha256Hex } from "../../src/privacy/consent-texts.ts";
import { seedRouting } from "../dialog/db-fixture.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

/**
 * SHA-256 of every published template. A published consent text is evidence: changing one here
 * means changing what people already agreed to. Publish a new version instead.
 */
const PUBLISHED_TEMPLATE_SHA256: Record<string, Record<"ru" | "en", string>> = {
  "2026-11-01": {
    ru: "c333a35b3aa647036f0d7f4515b0cc3d696a1a68ee9c3eb438489b9745520cb7",
    en: "a0bf03368ef54beeb9e7ced772a6b6fc41c66ce31cc8c496f9b86e5b8d31bf83",
  },
};

const VERSION = "2026-11-01";
const OPERATOR = "АНО «Опора» (тест)";
const RETENTION_DAYS = 90;
let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe("published consent texts", () => {
  it("no published text has changed, and every version has both languages", () => {
    expect(Object.keys(CONSENT_TEXTS).sort()).toEqual(Object.keys(PUBLISHED_TEMPLATE_SHA256).sort());
    for (const [version, texts] of Object.entries(CONSENT_TEXTS)) {
      expect(Object.keys(texts).sort()).toEqual(["en", "ru"]);
      expect(sha256Hex(texts.ru), `${version} ru`).toBe(PUBLISHED_TEMPLATE_SHA256[version]?.ru);
      expect(sha256Hex(texts.en), `${version} en`).toBe(PUBLISHED_TEMPLATE_SHA256[version]?.en);
    }
  });
});

async function setup() {
  t = await createTempDb();
  await seedRouting(t.db);
  const now = new Date("2026-03-02T06:00:00Z");
  const log = createLogger({ level: "silent" });
  const i18n = createI18n();
  const service = createDialogService({
    db: t.db,
    log,
    i18n,
    clock: () => now,
    config: { consentVersion: VERSION, publicBaseUrl: "https://opora.example", operatorName: OPERATOR, retentionDays: RETENTION_DAYS, catalogTtlMs: 0 },
  });
  const app = createHttpServer({ db: t.db, log });
  await app.register(
    createAdminPlugin({
      db: t.db,
      log,
      i18n,
      clock: () => now,
      config: {
        publicBaseUrl: "https://opora.example",
        sessionSecret: "s".repeat(48),
        cookieSecure: false,
        consentVersion: VERSION,
        operatorName: OPERATOR,
        retentionDays: RETENTION_DAYS,
      },
    }),
  );
  await app.ready();
  return { app, db: t.db, service };
}

/** A family in one language, walking the real dialog to the consent screen and giving consent. */
async function consentIn(service: ReturnType<typeof createDialogService>, locale: "ru" | "en", chatId: string, n: { k: number }) {
  let replies: Reply[] = [];
  const send = async (event: InboundEvent) => {
    const res = await service.handle({ channel: "console", chatId, userId: `u-${chatId}`, updateKey: `k${++n.k}`, locale }, event);
    if (res.type === "handled") replies = res.replies;
  };
  const press = async (id: string) => {
    const opts = replies.flatMap((r) => (r.type === "removeKeyboard" ? [] : (r.options ?? []).flat()));
    const o = opts.find((x) => x.token.endsWith(`.${id}`));
    if (!o) throw new Error(`no option ${id}: ${opts.map((x) => x.token).join(" ")}`);
    await send({ type: "option", token: o.token });
  };
  // Walks whatever the triage asks (it changes) with calm answers until the consent screen.
  await send({ type: "start" });
  await press("c:housing");
  const calm = ["done", "no", "adult", "none", "other", "skip", "parent", "any"];
  const texts = ["63", "Описание ситуации"];
  const trail: string[] = [];
  for (let i = 0; i < 30 && !replies.some((r) => r.type === "text" && r.link); i++) {
    const ids = replies.flatMap((r) => (r.type === "removeKeyboard" ? [] : (r.options ?? []).flat())).map((o) => o.token.split(".").slice(1).join("."));
    const pick = calm.find((c) => ids.includes(c));
    if (pick) {
      trail.push(pick);
      await press(pick);
    } else {
      const text = texts.shift() ?? "Описание ситуации";
      trail.push(`"${text}"`);
      await send({ type: "text", text });
    }
  }
  if (!replies.some((r) => r.type === "text" && r.link)) throw new Error(`consent screen not reached: ${trail.join(" → ")}`);
  const screen = replies.find((r) => r.type === "text" && r.link);
  if (screen?.type !== "text" || !screen.link) throw new Error("no consent screen");
  await press("give");
  return { shown: screen.text, link: screen.link.url };
}

describe("/consent", () => {
  it("serves the version in force and each published version in Russian and English", async () => {
    const { app } = await setup();
    const ru = await app.inject({ url: "/consent" });
    expect(ru.statusCode).toBe(200);
    expect(ru.body).toContain("Согласие на обработку персональных данных");
    expect(ru.body).toContain("Оператор: АНО");
    expect(ru.body).toContain(`${RETENTION_DAYS} дней`);
    const en = await app.inject({ url: `/consent/${VERSION}?lang=en` });
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain("Consent to the processing of personal data");
    expect(en.body).toContain(`${RETENTION_DAYS} days after the request is closed`);
    expect((await app.inject({ url: "/consent/1999-01-01" })).statusCode).toBe(404);
    expect((await app.inject({ url: `/consent/${VERSION}?center=no-such-center` })).statusCode).toBe(404);
    const text = await app.inject({ url: `/consent/${VERSION}?lang=en&format=text` });
    expect(text.headers["content-type"]).toMatch(/^text\/plain/);
    expect(text.body.startsWith("Consent to the processing")).toBe(true);
  });

  it("every stored consent hash is the SHA-256 of the text served at the screen's link, in both languages", async () => {
    const { app, db, service } = await setup();
    const n = { k: 0 };
    const shown = [await consentIn(service, "ru", "a", n), await consentIn(service, "en", "b", n)];
    const records = await db.consentRecord.findMany({ orderBy: { givenAt: "asc" } });
    expect(records).toHaveLength(2);
    for (const [i, record] of records.entries()) {
      const s = shown[i]!;
      expect(s.link.startsWith("https://opora.example/consent/")).toBe(true);
      const url = new URL(s.link);
      url.searchParams.set("format", "text");
      const served = await app.inject({ url: `${url.pathname}${url.search}` });
      expect(served.statusCode).toBe(200);
      expect(record.textVersion).toBe(VERSION);
      expect(sha256Hex(served.body), `record ${i}`).toBe(record.textHash);
      // The screen the family read fits a phone (issue 12.2): it names the same center as the
      // served document, whose full text is one tap away at this link.
      expect(s.shown).toContain("/revoke");
      expect(s.shown.length).toBeLessThan(served.body.length);
    }
    expect(records[0]?.textHash).not.toBe(records[1]?.textHash);
    // Not the hash of something trivial.
    expect(records.map((r) => r.textHash)).not.toContain(sha256Hex(""));
  });
});
