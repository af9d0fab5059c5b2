// Nothing personal left behind: a byte search of the database file, its -wal and -shm finds none of
// the family's values after /revoke, after the retention purge, after declined consent and after a
// teen's dialog (secure_delete + a WAL checkpoint once something personal is dropped).
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.ts";
import { enqueueDelivery } from "../../src/outbox/outbox.ts";
import { purgeExpiredPersonalData } from "../../src/requests/retention-purge.ts";
import { makeService, Person, routedDbPerTest, walkToConsent } from "../dialog/db-fixture.ts";
import { sqliteFileBytes, testEngine } from "../helpers/temp-db.ts";

const tmp = routedDbPerTest();
const clock = () => new Date("2026-03-02T06:00:00Z");

const found = (markers: string[]) => {
  const bytes = sqliteFileBytes(tmp.file);
  return markers.filter((m) => bytes.includes(Buffer.from(m)));
};

/** A family through to a submitted request, then a message, an operator's note and two replies. */
async function submittedRequest(p: Person, m: { description: string; name: string; message: string; note: string; relayPending: string; relaySent: string }) {
  await walkToConsent(p);
  await p.press("give");
  await p.text(m.description);
  await p.text(m.name);
  await p.text("+7 999 765-43-21");
  for (let i = 0; i < 6 && !p.texts().includes("Проверьте"); i++) {
    const first = p.options()[0];
    if (!first) break;
    await p.send({ type: "option", token: first.token });
  }
  expect(p.texts()).toContain("Проверьте");
  await p.press("submit");
  await p.text(m.message);
  const req = await tmp.db.request.findFirstOrThrow();
  expect(req.contactPhone).toBe("+79997654321");
  const staff = await tmp.db.staffUser.create({ data: { email: "op@x", passwordHash: "x", name: "Оператор", role: "operator" } });
  await tmp.db.note.create({ data: { requestId: req.id, authorId: staff.id, text: m.note } });
  const conv = await tmp.db.conversation.findFirstOrThrow();
  // An operator's replies to the family: one still waiting in the outbox, one already sent.
  for (const [key, text] of [["pending", m.relayPending], ["sent", m.relaySent]] as const) {
    await enqueueDelivery(
      tmp.db,
      { idempotencyKey: `family:relay:${req.id}:${key}`, kind: "family_relay", channel: "telegram", target: conv.chatId, payload: { text }, requestId: req.id },
      clock(),
    );
  }
  await tmp.db.outbox.updateMany({ where: { idempotencyKey: { endsWith: ":sent" } }, data: { status: "sent", sentAt: clock() } });
  return req;
}

const MARKERS = {
  description: "Уникальное-описание-Квазимодо",
  name: "Евлампия",
  message: "Сообщение-после-отправки-Гиппогриф",
  note: "Заметка-оператора-Минотавр",
  relayPending: "Ответ-оператора-ещё-не-ушёл-Кентавр",
  relaySent: "Ответ-оператора-ушедший-Грифон",
};
const ALL = [...Object.values(MARKERS), "79997654321"];

// Reads the SQLite files themselves; what PostgreSQL keeps on disk is described in README (erasure).
describe.skipIf(testEngine() !== "sqlite")("nothing personal is left in the database files", () => {
  it("after /revoke: request fields, transcript, notes, deliveries to the family (the pending one cancelled)", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await submittedRequest(p, MARKERS);
    expect(found(ALL)).toEqual(ALL);

    await p.send({ type: "command", name: "revoke" });
    await p.press("revoke_yes");
    expect(p.texts()).toContain("удалены");

    expect(found(ALL)).toEqual([]);
    // Nothing more goes to the family about it.
    expect(await tmp.db.outbox.count({ where: { kind: "family_relay", status: { in: ["pending", "sending"] } } })).toBe(0);
    expect(await tmp.db.outbox.findFirstOrThrow({ where: { idempotencyKey: { endsWith: ":pending" } } })).toMatchObject({ status: "cancelled", payload: "{}" });
    // Anonymous statistics and the minimal consent record stay.
    expect(await tmp.db.request.findFirstOrThrow()).toMatchObject({ regionCode: "63", erasureReason: "withdrawal" });
    expect(await tmp.db.consentRecord.findFirstOrThrow()).toMatchObject({ decision: "given", withdrawnAt: expect.any(Date) });
  });

  it("after the retention purge", async () => {
    const p = new Person(makeService(tmp.db, clock));
    const req = await submittedRequest(p, MARKERS);
    await tmp.db.request.update({ where: { id: req.id }, data: { status: "closed", closedAt: new Date("2026-03-03T00:00:00Z") } });
    expect(found(ALL)).toEqual(ALL);

    const log = createLogger({ level: "silent" });
    const erased = await purgeExpiredPersonalData({ db: tmp.db, log, clock: () => new Date("2026-09-15T00:00:00Z"), retentionDays: 180 });
    expect(erased).toBe(1);
    expect(found(ALL)).toEqual([]);
    expect(await tmp.db.outbox.count({ where: { kind: "family_relay", status: "pending" } })).toBe(0);
  });

  it("after declined consent: what was typed before the question is gone", async () => {
    const p = new Person(makeService(tmp.db, clock));
    const description = "Описание-до-согласия-Саламандра";
    await walkToConsent(p);
    // Typed at the consent question it is not an answer: nothing personal is stored before consent.
    await p.text(description);
    expect(found([description])).toEqual([]);
    await p.press("decline");
    expect(p.texts()).toContain("ничего о вас не сохраняем");
    expect(found([description])).toEqual([]);
  });

  it("after a teen's dialog: nothing identifying is kept", async () => {
    const p = new Person(makeService(tmp.db, clock));
    const words = "Текст-подростка-Феникс";
    await p.send({ type: "start" });
    // Before consent nothing personal is kept, not even the words that raised a red flag (design.md §4).
    await p.text(`Отчим бьёт меня каждый день. ${words}`);
    expect(found([words])).toEqual([]);
    for (let i = 0; i < 12 && !p.options().some((o) => o.token.endsWith(".minor")); i++) {
      const ids = p.options().map((o) => o.token.split(".").slice(1).join("."));
      const pick = ["nodanger", "c:violence", "done", "no", "yes"].find((x) => ids.includes(x)) ?? ids[0];
      if (!pick) break;
      await p.press(pick);
    }
    await p.press("minor");
    expect(found([words])).toEqual([]);
  });
});
