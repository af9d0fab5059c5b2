// MAX shows about 30 characters of a button (issue 12): every label a person can see in MAX must
// fit, reworded rather than cut. Two checks: every button label in the locales (with the "✓ " a
// ticked option gets, and every count of "Готово (выбрано: N)"), and every keyboard the real dialog
// renders through the MAX render layer, found by pressing every button of every distinct question
// from several starts (deep links of the four demo regions, no region, a typed place shared by two
// regions, a teen), plus the channel's own menu and quick-exit prompt.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderReplies } from "../../src/channels/max/max-render.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import { FAMILY_FLAGS } from "../../src/dialog/state.ts";
import type { InboundEvent, Reply } from "../../src/dialog/service-types.ts";
import { CATEGORIES } from "../../src/domain/taxonomy.ts";
import { createI18n, type Locale } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { createTempDb } from "../helpers/temp-db.ts";

/** What MAX shows of a button before cutting it (its docs give no other figure). */
const MAX_VISIBLE = 30;
const TICK = "✓ ";
const i18n = createI18n();
const LOCALES: Locale[] = ["ru", "en"];
const kebab = (s: string) => s.replaceAll("_", "-");

function localeKeys(locale: Locale): string[] {
  const dir = path.join(import.meta.dirname, "../../locales", locale);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ftl"))
    .flatMap((f) => [...readFileSync(path.join(dir, f), "utf8").matchAll(/^([a-z][a-z0-9-]*) =/gm)].map((m) => m[1]!));
}

/** Keys whose text is a button label somewhere in MAX; toggled ones may carry a tick. */
function labelKeys(locale: Locale): { key: string; ticked: boolean }[] {
  const keys = new Set(localeKeys(locale));
  const toggled = new Set([...CATEGORIES.map((c) => `cat-${kebab(c)}`), ...FAMILY_FLAGS.map((f) => `flag-${kebab(f)}`)]);
  const plain = [...keys].filter(
    (k) =>
      k.startsWith("opt-") ||
      ["consent-link", "muni-other-label", "max-hide-confirm", "max-hide-cancel"].includes(k) ||
      (k.startsWith("max-menu-") && k !== "max-menu-title"),
  );
  for (const k of toggled) expect(keys.has(k), `${locale}: ${k} missing`).toBe(true);
  return [...plain.map((key) => ({ key, ticked: false })), ...[...toggled].map((key) => ({ key, ticked: true }))];
}

function rendered(replies: Reply[]): string[] {
  const { messages } = renderReplies(replies, {
    menuRow: [
      { type: "callback", text: i18n.t("ru", "max-menu-help"), payload: "max:menu:help" },
      { type: "callback", text: i18n.t("ru", "max-menu-revoke"), payload: "max:menu:revoke" },
    ],
  });
  return messages.flatMap((m) => m.attachments.flatMap((a) => a.payload.buttons.flat().map((b) => b.text)));
}

describe("MAX button labels fit the visible 30 characters", () => {
  it.each(LOCALES)("every button label in the %s locale, ticked and with every count", (locale) => {
    const tooLong: string[] = [];
    for (const { key, ticked } of labelKeys(locale)) {
      for (const count of key === "opt-done" ? [0, 1, 5, 14] : [0]) {
        const text = (ticked ? TICK : "") + i18n.t(locale, key, { count, page: 2, pages: 2 });
        if ([...text].length > MAX_VISIBLE) tooLong.push(`${key} (${[...text].length}): ${text}`);
      }
    }
    expect(tooLong).toEqual([]);
  });

  it("every keyboard the dialog renders in MAX, pressing every button of every question", async () => {
    const tmp = await createTempDb();
    try {
      const log = createLogger({ level: "silent" });
      await loadDemoRoutingIfEmpty(tmp.db, log);
      const service = createDialogService({
        db: tmp.db,
        log,
        i18n,
        clock: () => new Date("2026-11-30T10:00:00Z"),
        config: { consentVersion: "labels", publicBaseUrl: "https://opora.example", operatorName: "Opora test operator", catalogTtlMs: 0 },
      });
      const starts: InboundEvent[] = [
        { type: "start", payload: "63" },
        { type: "start", payload: "54" },
        { type: "start", payload: "67" },
        { type: "start", payload: "72" },
        { type: "start" },
      ];
      // Typed answers tried at every question: a place shared by two regions (the choice shows
      // region names), towns, a description (topics suggested from it), a name, a teen's age.
      const typed = ["Железногорск", "Сызрань", "Бердск", "Сын не слушается, постоянные ссоры", "Мария", "мне 15"];
      let chat = 0;
      let keyN = 0;
      let calls = 0;
      const send = async (chatId: string, event: InboundEvent): Promise<Reply[]> => {
        calls += 1;
        const r = await service.handle({ channel: "max", chatId, userId: chatId, locale: "ru", updateKey: `k${++keyN}` }, event);
        return r.type === "handled" ? r.replies : [];
      };
      /** A copy of a conversation at its current step, so each branch costs one call, not a replay. */
      const fork = async (chatId: string): Promise<string> => {
        const c = await tmp.db.conversation.findUniqueOrThrow({ where: { channel_chatId: { channel: "max", chatId } } });
        const copy = `labels-${++chat}`;
        await tmp.db.conversation.create({
          data: { channel: "max", chatId: copy, userId: copy, locale: c.locale, state: c.state, stateVersion: c.stateVersion, seq: c.seq, isTest: c.isTest },
        });
        return copy;
      };
      const optionsOf = (replies: Reply[]) => replies.flatMap((r) => (r.type === "text" || r.type === "requestContact" ? (r.options ?? []).flat() : []));
      const seen = new Set<string>();
      const labels = new Map<string, string>();
      const queue: { chatId: string; replies: Reply[]; trail: string }[] = [];
      for (const start of starts) {
        const chatId = `labels-${++chat}`;
        queue.push({ chatId, replies: await send(chatId, start), trail: JSON.stringify(start) });
      }
      while (queue.length > 0 && calls < 1200) {
        const node = queue.shift()!;
        for (const label of rendered(node.replies)) if (!labels.has(label)) labels.set(label, node.trail);
        const options = optionsOf(node.replies);
        const contact = node.replies.some((r) => r.type === "requestContact");
        const ids = options.map((o) => o.token.replace(/^[^.]*\./, ""));
        // The SOS answer and the "urgent" button it adds are the same keyboard at every step.
        const core = ids.filter((id) => id !== "sos" && id !== "urgent" && id !== "restart");
        // Where the dialog stands (step, urgent path, a modal), and for the place steps which region
        // the dialog started in: the same buttons on the urgent path lead to other screens.
        const row = await tmp.db.conversation.findUnique({ where: { channel_chatId: { channel: "max", chatId: node.chatId } } });
        const st = JSON.parse(row?.state ?? "{}") as { step?: string; urgent?: boolean; modal?: { kind?: string } };
        const place = /municipality|region/.test(st.step ?? "") ? node.trail.slice(0, 40) : "";
        const signature = `${st.step}|${st.urgent}|${st.modal?.kind ?? ""}|${place}|${core.sort().join("|")}${contact ? "|contact" : ""}`;
        if (seen.has(signature)) continue;
        seen.add(signature);
        const actions: { event: InboundEvent; what: string }[] = options
          .filter((o) => !/\.(sos|restart)$/.test(o.token) || !seen.has(o.token.replace(/^[^.]*\./, "")))
          .map((o) => ({ event: { type: "option", token: o.token }, what: o.token.replace(/^[^.]*\./, "") }));
        // SOS and restart lead to the same screens from anywhere: pressed once.
        for (const id of ["sos", "restart"]) if (ids.includes(id)) seen.add(id);
        if (contact) actions.push({ event: { type: "contact", phone: "+79991234567", own: true }, what: "contact" });
        // Typing where a question takes words (few buttons), and once at the first topics screen.
        if (core.length <= 2 || seen.size <= 2) for (const text of typed) actions.push({ event: { type: "text", text }, what: text });
        // The menu's commands open their own keyboards (withdrawal, language) from any step.
        if (seen.size <= 2) for (const name of ["revoke", "lang", "status", "help"] as const) actions.push({ event: { type: "command", name }, what: `/${name}` });
        for (const { event, what } of actions) {
          const chatId = await fork(node.chatId);
          queue.push({ chatId, replies: await send(chatId, event), trail: `${node.trail} → ${what}` });
        }
      }
      // The exploration reached the dialog's keyboards (topics, consent, contact time, summary…).
      expect(seen.size).toBeGreaterThan(25);
      for (const step of ["summary", "contact_time", "consent", "family_flags", "municipality", "region_choose", "teen_help", "p0_safe"]) {
        expect([...seen].some((sig) => sig.startsWith(`${step}|`)), step).toBe(true);
      }
      const tooLong = [...labels].filter(([label]) => [...label].length > MAX_VISIBLE).map(([label, where]) => `${label} ← ${where}`);
      expect(tooLong).toEqual([]);
    } finally {
      await tmp.cleanup();
    }
  }, 120_000);
});
