// End to end through the dialog service on the demo routing data: a family in Tyumen writes at
// 02:00 local time that they are being beaten. Their request must reach a queue that is open now
// (the federal 24/7 reserve: Tyumen has no 24/7 center) and they must read who calls and by when.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { makeService, Person, quietLog } from "../dialog/db-fixture.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

let tmp: TempDb;
let now: Date;
const clock = () => now;

beforeEach(async () => {
  tmp = await createTempDb();
  await loadDemoRoutingIfEmpty(tmp.db, quietLog, new Date("2026-11-01T00:00:00Z"));
});
afterEach(async () => {
  await tmp.cleanup();
});

async function p0Through(region: string): Promise<Person> {
  const p = new Person(makeService(tmp.db, clock));
  await p.text("Здравствуйте, муж избивает меня, я боюсь");
  expect(p.texts()).toContain("112");
  await p.press("unsafe");
  await p.text(region);
  if (p.options().some((o) => o.token.endsWith(".other"))) await p.press("other");
  await p.press("give");
  // The number is the last question of the emergency path: the request follows at once.
  await p.text("+7 999 765-43-21");
  return p;
}

describe("an urgent family at night is never parked", () => {
  it("a Tyumen P0 at 02:00 local goes to the federal 24/7 reserve and is promised contact by 03:00 local", async () => {
    now = new Date("2026-11-25T02:00:00+05:00"); // Wednesday, 02:00 in Tyumen (21:00 UTC the day before)
    const p = await p0Through("Тюменская область");
    const text = p.texts();
    expect(text).toContain("С вами свяжется дежурная служба до 03:00 по местному времени: Федеральная дежурная линия Опоры (резерв, круглосуточно).");
    expect(text).toContain("не ждите звонка, звоните 112");
    expect(text).toContain("8-800-2000-122");
    expect(text).not.toContain("в рабочее время центра");

    const req = await tmp.db.request.findFirstOrThrow({ include: { queue: true } });
    expect(req).toMatchObject({ regionCode: "72", urgency: "P0", routingReason: "region_default" });
    expect(req.queue.key).toBe("federal-fallback");
    expect(req.routingExplanation).toContain("сейчас закрыт (ср 02:00 по времени региона), срочность P0");
    expect(req.routingExplanation).toContain("→ переадресовано в федеральный круглосуточный резерв");
    const audit = await tmp.db.auditLog.findFirstOrThrow({ where: { action: "request.create" } });
    expect(JSON.parse(audit.details)).toMatchObject({ overflow: true, overflowStep: "federal_24x7", chosenQueue: "tyumen-default" });
  });

  it("a Samara P0 at night goes to the region's own 24/7 line", async () => {
    now = new Date("2026-11-25T02:00:00+04:00");
    const p = await p0Through("Самарская область");
    expect(p.texts()).toContain("С вами свяжется дежурная служба до 03:00 по местному времени: Региональная кризисная линия (круглосуточно).");
    const req = await tmp.db.request.findFirstOrThrow({ include: { queue: true } });
    expect(req.queue.key).toBe("samara-crisis-24x7");
  });
});
