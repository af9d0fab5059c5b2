// What a family reads after sending a request at night: who contacts them and by when, in their
// local time, from the demo routing data (the confirmation the dialog service sends).
import { describe, expect, it } from "vitest";
import { renderConfirmation } from "../../src/dialog/engine.ts";
import type { Category, Urgency } from "../../src/domain/taxonomy.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { routeRequest } from "../../src/routing/engine.ts";
import { contactPromise } from "../../src/routing/promise.ts";
import { filesToSnapshot } from "../../src/routing/routing-file.ts";
import { DEMO_ROUTING_FILES, readRoutingFile } from "../../src/routing/routing-store.ts";
import type { RoutingSnapshot } from "../../src/routing/types.ts";

const i18n = createI18n();
const demo = filesToSnapshot(DEMO_ROUTING_FILES.map(readRoutingFile));
const noFederal24x7: RoutingSnapshot = {
  ...demo,
  centers: demo.centers.map((c) => (c.regionCode === null ? { ...c, is24x7: false } : c)),
};

// Wednesday 25 Nov 2026. Tyumen is UTC+5, Samara UTC+4.
const TYUMEN_2AM = new Date("2026-11-25T02:00:00+05:00");

function confirm(
  snapshot: RoutingSnapshot,
  regionCode: string,
  categories: Category[],
  urgency: Urgency,
  now: Date,
  locale: "ru" | "en" = "ru",
) {
  const decision = routeRequest(snapshot, { regionCode, municipalityId: null, categories, urgency, flags: [], now });
  const text = renderConfirmation(i18n, locale, { number: `${regionCode}-00001`, urgency, decision, routing: snapshot, now });
  return { decision, text };
}

describe("the promise after a request at night", () => {
  it("a Tyumen P0 at 02:00 local goes to the federal 24/7 reserve, due by 03:00 local, with the numbers", () => {
    const { decision, text } = confirm(demo, "72", ["violence"], "P0", TYUMEN_2AM);
    expect(decision.queue.key).toBe("federal-fallback");
    expect(decision.overflowStep).toBe("federal_24x7");
    expect(text).toContain(
      "Сейчас нерабочее время (Региональный семейный центр Тюменской области (демо)), поэтому заявку сразу передали круглосуточной дежурной службе.",
    );
    expect(text).toContain(
      "С вами свяжется дежурная служба до 03:00 по местному времени: Федеральная дежурная линия Опоры (резерв, круглосуточно).",
    );
    expect(text).toContain("не ждите звонка, звоните 112");
    expect(text).toMatch(/8-800-2000-122/);
    expect(text).not.toContain("в рабочее время центра");
    expect(text).not.toContain("откроется");
    // Tyumen local time, not Moscow (00:00) and not UTC (21:00).
    expect(text).not.toContain("до 01:00");
  });

  it("says the same in English", () => {
    const { text } = confirm(demo, "72", ["violence"], "P0", TYUMEN_2AM, "en");
    expect(text).toContain("The duty service will contact you by 03:00 local time: Федеральная дежурная линия Опоры (резерв, круглосуточно).");
  });

  it("a P1 at night goes to the region's 24/7 queue when there is one, due by the same time tomorrow", () => {
    const { decision, text } = confirm(demo, "63", ["housing"], "P1", new Date("2026-11-25T23:00:00+04:00"));
    expect(decision.queue.key).toBe("samara-crisis-24x7");
    expect(decision.overflowStep).toBe("region_24x7");
    expect(text).toContain("С вами свяжется дежурная служба до 23:00 завтра по местному времени: Региональная кризисная линия (круглосуточно).");
    expect(text).not.toContain("не ждите звонка"); // P1 gets no emergency script
  });

  it("a P2 at night stays with the closed center and is told when it opens", () => {
    const friday = new Date("2026-11-27T20:00:00+05:00");
    const { decision, text } = confirm(demo, "72", ["housing"], "P2", friday);
    expect(decision.queue.key).toBe("tyumen-default");
    expect(decision.overflow).toBe(false);
    expect(text).toContain("Центр откроется в пн в 09:00 по местному времени. Специалист свяжется с вами в течение 3 рабочих дней.");
    const night = confirm(demo, "72", ["housing"], "P2", TYUMEN_2AM).text;
    expect(night).toContain("Центр откроется сегодня в 09:00 по местному времени.");
    const evening = confirm(demo, "72", ["housing"], "P2", new Date("2026-11-25T20:00:00+05:00")).text;
    expect(evening).toContain("Центр откроется завтра в 09:00 по местному времени.");
  });

  it("in the daytime an open center promises its own specialist within the hour", () => {
    const { decision, text } = confirm(demo, "72", ["violence"], "P0", new Date("2026-11-25T10:30:00+05:00"));
    expect(decision.overflow).toBe(false);
    expect(text).toContain("Специалист свяжется с вами до 11:30 по местному времени.");
  });

  it("with no open queue anywhere a P0 is told plainly that only the numbers answer now", () => {
    const { decision, text } = confirm(noFederal24x7, "72", ["violence"], "P0", TYUMEN_2AM);
    expect(decision.noOpenQueue).toBe(true);
    expect(contactPromise(decision, "P0", TYUMEN_2AM)).toMatchObject({
      promise: { type: "after_opening", opensAt: { time: "09:00", relative: "today" } },
      emergencyNow: true,
    });
    expect(text).toContain("круглосуточной службы для вашего региона нет. Центр откроется сегодня в 09:00 по местному времени");
    expect(text).toContain("прямо сейчас отвечают только экстренные номера");
    expect(text).not.toContain("С вами свяжется");
  });
});
