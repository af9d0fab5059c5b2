// Technical tables are pruned on the stated schedule (fake clock): processed-update keys, delivered
// outbox rows, expired sessions, used link codes, inbound-journal leftovers, expired "did this help?"
// tokens (an unexpired one still counts a press).
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.ts";
import { TECHNICAL_RETENTION } from "../../src/privacy/technical-retention.ts";
import { recordRatingPress } from "../../src/requests/help-rating.ts";
import { pruneTechnical } from "../../src/requests/retention-purge.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const NOW = new Date("2026-11-30T12:00:00Z");
const ago = (days: number) => new Date(NOW.getTime() - days * 24 * 60 * 60_000);
const log = createLogger({ level: "silent" });

describe("technical retention", () => {
  it("prunes each table on its schedule and keeps what is still needed", async () => {
    t = await createTempDb();
    const db = t.db;
    const center = await db.center.create({
      data: { key: "c", regionCode: "63", name: "C", publicPhone: "+7 000" },
    });
    const queue = await db.queue.create({ data: { key: "q", centerId: center.id, name: "Q" } });
    const mk = (number: string, status: string) =>
      db.request.create({
        data: {
          number,
          channel: "telegram",
          categories: "[]",
          urgency: "P2",
          regionCode: "63",
          queueId: queue.id,
          routingReason: "x",
          routingExplanation: "x",
          dueAt: ago(40),
          status,
        },
      });
    const closed = await mk("63-00001", "closed");
    const open = await mk("63-00002", "in_progress");

    await db.processedUpdate.createMany({
      data: [
        {
          channel: "telegram",
          updateKey: "old",
          processedAt: ago(TECHNICAL_RETENTION.processedUpdateDays + 1),
        },
        {
          channel: "telegram",
          updateKey: "recent",
          processedAt: ago(TECHNICAL_RETENTION.processedUpdateDays - 1),
        },
      ],
    });
    const outbox = [
      { key: "sent-old-closed", status: "sent", createdAt: ago(31), requestId: closed.id, gone: true },
      { key: "sent-old-none", status: "sent", createdAt: ago(31), requestId: null, gone: true },
      { key: "cancelled-old", status: "cancelled", createdAt: ago(31), requestId: closed.id, gone: true },
      { key: "sent-old-open", status: "sent", createdAt: ago(31), requestId: open.id, gone: false },
      { key: "sent-recent", status: "sent", createdAt: ago(29), requestId: closed.id, gone: false },
      { key: "dead-31", status: "dead", createdAt: ago(31), requestId: closed.id, gone: false },
      { key: "dead-91", status: "dead", createdAt: ago(91), requestId: closed.id, gone: true },
      { key: "pending-old", status: "pending", createdAt: ago(100), requestId: closed.id, gone: false },
    ];
    for (const o of outbox) {
      await db.outbox.create({
        data: {
          idempotencyKey: o.key,
          kind: "center_new_request",
          channel: "telegram",
          target: "-1",
          payload: "{}",
          status: o.status,
          createdAt: o.createdAt,
          requestId: o.requestId,
        },
      });
    }
    await db.staffSession.createMany({
      data: [
        { sid: "expired", data: "{}", expiresAt: new Date(NOW.getTime() - 1000) },
        { sid: "live", data: "{}", expiresAt: new Date(NOW.getTime() + 3600_000) },
      ],
    });
    await db.linkCode.createMany({
      data: [
        {
          code: "USED-OLD",
          purpose: "center_chat",
          channel: "telegram",
          expiresAt: ago(1.9),
          usedAt: ago(2),
          createdAt: ago(2),
        },
        {
          code: "USED-NOW",
          purpose: "center_chat",
          channel: "telegram",
          expiresAt: new Date(NOW.getTime() + 600_000),
          usedAt: new Date(NOW.getTime() - 3600_000),
          createdAt: ago(0.1),
        },
        {
          code: "EXPIRED-OLD",
          purpose: "center_chat",
          channel: "telegram",
          expiresAt: ago(2),
          createdAt: ago(2.1),
        },
        {
          code: "FRESH",
          purpose: "center_chat",
          channel: "telegram",
          expiresAt: new Date(NOW.getTime() + 600_000),
          createdAt: NOW,
        },
      ],
    });
    const leftover = "Текст-застрявшего-обновления-Кракен";
    await db.inboundUpdate.createMany({
      data: [
        {
          channel: "telegram",
          updateKey: "stuck",
          payload: JSON.stringify({ message: { text: leftover } }),
          receivedAt: ago(2),
        },
        {
          channel: "telegram",
          updateKey: "in-flight",
          payload: "{}",
          receivedAt: new Date(NOW.getTime() - 5000),
        },
      ],
    });

    const token = (name: string, expiresAt: Date) => ({ token: name.padEnd(22, "A"), regionCode: "63", centerId: center.id, expiresAt });
    await db.helpRatingToken.createMany({
      data: [token("expired", new Date(NOW.getTime() - 1000)), token("live", new Date(NOW.getTime() + 12 * 3600_000))],
    });

    const pruned = await pruneTechnical({ db, log, clock: () => NOW, retentionDays: 180 });
    expect(pruned).toEqual({
      processedUpdates: 1,
      outbox: 4,
      sessions: 1,
      linkCodes: 2,
      inboundLeftovers: 1,
      ratingTokens: 1,
    });
    expect((await db.helpRatingToken.findMany()).map((x) => x.token)).toEqual(["live".padEnd(22, "A")]);
    // The token left is still good for its one press.
    expect(await db.$transaction((tx) => recordRatingPress(tx, `hr:${"live".padEnd(22, "A")}:5`, NOW))).toEqual({ type: "counted" });
    expect((await db.processedUpdate.findMany()).map((x) => x.updateKey)).toEqual(["recent"]);
    const left = new Set((await db.outbox.findMany()).map((x) => x.idempotencyKey));
    for (const o of outbox) expect(left.has(o.key), o.key).toBe(!o.gone);
    expect((await db.staffSession.findMany()).map((x) => x.sid)).toEqual(["live"]);
    expect((await db.linkCode.findMany({ orderBy: { code: "asc" } })).map((x) => x.code)).toEqual([
      "FRESH",
      "USED-NOW",
    ]);
    expect((await db.inboundUpdate.findMany()).map((x) => x.updateKey)).toEqual(["in-flight"]);
    // The leftover held message text: gone from the files too.
    const bytes = Buffer.concat(
      ["", "-wal"].flatMap((x) => {
        try {
          return [readFileSync(t!.file + x)];
        } catch {
          return [];
        }
      }),
    );
    expect(bytes.includes(Buffer.from(leftover))).toBe(false);

    // A day later, what aged meanwhile goes too
    const again = await pruneTechnical({
      db,
      log,
      clock: () => new Date(NOW.getTime() + 24 * 3600_000 + 1000),
      retentionDays: 180,
    });
    // (the live session expired, the fresh code ran out, the in-flight update got stuck, a sent row turned 30 days old)
    expect(again).toMatchObject({ sessions: 1, linkCodes: 1, inboundLeftovers: 1, outbox: 1 });
  });
});
