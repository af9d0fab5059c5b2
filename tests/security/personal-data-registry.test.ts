// The personal-data registry covers every column of prisma/schema.prisma, and /revoke erases
// every column it calls a family's personal data — filled here from the registry itself, so a
// field added to the registry is checked without touching this test.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { erasePersonalData } from "../../src/requests/erase-personal-data.ts";
import { flushErasure } from "../../src/requests/erase-request-data.ts";
import {
  familyFields,
  PERSONAL_DATA_REGISTRY,
  type RegisteredModel,
} from "../../src/privacy/personal-data-registry.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

/** Scalar columns per model, as written in the schema (relation fields are not columns). */
function schemaColumns(): Record<string, string[]> {
  const schema = readFileSync("prisma/schema.prisma", "utf8");
  const blocks = [...schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
  const models = new Set(blocks.map((b) => b[1]));
  const out: Record<string, string[]> = {};
  for (const [, name, body] of blocks) {
    out[name ?? ""] = (body ?? "")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("//") && !l.startsWith("@@"))
      .map((l) => l.split(/\s+/))
      .filter(([, type]) => type !== undefined && !models.has(type.replace(/[?[\]]/g, "")))
      .map(([field]) => field ?? "");
  }
  return out;
}

describe("personal-data registry", () => {
  it("classifies every column of every model, and nothing that is not in the schema", () => {
    const columns = schemaColumns();
    expect(Object.keys(columns).length).toBeGreaterThan(15);
    const unclassified: string[] = [];
    const stale: string[] = [];
    for (const [model, fields] of Object.entries(columns)) {
      const known = (PERSONAL_DATA_REGISTRY as Record<string, Record<string, unknown>>)[model] ?? {};
      for (const f of fields) if (!(f in known)) unclassified.push(`${model}.${f}`);
      for (const f of Object.keys(known)) if (!fields.includes(f)) stale.push(`${model}.${f}`);
    }
    for (const model of Object.keys(PERSONAL_DATA_REGISTRY)) if (!(model in columns)) stale.push(model);
    expect(unclassified, "classify these in src/privacy/personal-data-registry.ts").toEqual([]);
    expect(stale, "gone from the schema: remove from the registry").toEqual([]);
  });

  it("family data lives only in models the erasure handles", () => {
    const withFamilyData = Object.keys(PERSONAL_DATA_REGISTRY).filter(
      (m) => familyFields(m as RegisteredModel).length > 0,
    );
    // A new model here needs erase-personal-data.ts / erase-request-data.ts (and this list) to handle it.
    expect(withFamilyData.sort()).toEqual([
      "Conversation",
      "InboundUpdate",
      "Note",
      "Outbox",
      "Request",
      "RequestAttachment",
      "TranscriptMessage",
    ]);
  });
});

let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe("withdrawal erases every registered family column", () => {
  it("fills each one with a marker, withdraws, and finds no marker in any row or in the files", async () => {
    t = await createTempDb();
    const db = t.db;
    const now = new Date("2026-05-01T10:00:00Z");
    const marker = (model: string, field: string) => `MARK-${model}-${field}-Ω`;
    const fill = (model: RegisteredModel) =>
      Object.fromEntries(
        familyFields(model)
          .filter((f) => f.erase !== "reset-state" && f.erase !== "delete-row")
          .map((f) => [f.field, marker(model, f.field)]),
      );
    const center = await db.center.create({
      data: { key: "c", regionCode: "63", name: "C", publicPhone: "+7 000" },
    });
    const queue = await db.queue.create({ data: { key: "q", centerId: center.id, name: "Q" } });
    const conv = await db.conversation.create({
      data: {
        channel: "telegram",
        chatId: "777",
        userId: "777",
        stateVersion: 1,
        state: JSON.stringify({ answers: { description: marker("Conversation", "state") } }),
      },
    });
    const req = await db.request.create({
      data: {
        number: "63-00001",
        channel: "telegram",
        conversationId: conv.id,
        categories: "[]",
        urgency: "P2",
        regionCode: "63",
        queueId: queue.id,
        routingReason: "x",
        routingExplanation: "x",
        dueAt: now,
        ...fill("Request"),
      },
    });
    await db.transcriptMessage.create({
      data: {
        conversationId: conv.id,
        requestId: req.id,
        direction: "in",
        text: "",
        ...fill("TranscriptMessage"),
      },
    });
    await db.transcriptMessage.create({
      data: {
        conversationId: conv.id,
        direction: "in",
        text: marker("TranscriptMessage", "loose"),
      },
    });
    const staff = await db.staffUser.create({
      data: { email: "s@x", passwordHash: "x", name: "S", role: "operator" },
    });
    await db.note.create({ data: { requestId: req.id, authorId: staff.id, text: "", ...fill("Note") } });
    for (const [i, status] of ["pending", "failed", "sent"].entries()) {
      await db.outbox.create({
        data: {
          idempotencyKey: `k${i}`,
          kind: "family_relay",
          channel: "telegram",
          target: "777",
          requestId: req.id,
          status,
          payload: "",
          ...fill("Outbox"),
        },
      });
    }
    // A status message to the chat with no request link.
    await db.outbox.create({
      data: {
        idempotencyKey: "loose",
        kind: "family_status",
        channel: "telegram",
        target: "777",
        payload: JSON.stringify({ text: marker("Outbox", "loose") }),
      },
    });
    const markers = [
      ...Object.values(fill("Request")),
      ...Object.values(fill("TranscriptMessage")),
      ...Object.values(fill("Note")),
      ...Object.values(fill("Outbox")),
      marker("Conversation", "state"),
      marker("TranscriptMessage", "loose"),
      marker("Outbox", "loose"),
    ];
    expect(markers.length).toBeGreaterThanOrEqual(8);

    await db.$transaction((tx) =>
      erasePersonalData(tx, {
        channel: "telegram",
        userId: "777",
        reason: "withdrawal",
        byWhom: "family",
        now,
      }),
    );
    await flushErasure(db);

    const rows = JSON.stringify([
      await db.request.findMany(),
      await db.transcriptMessage.findMany(),
      await db.note.findMany(),
      await db.outbox.findMany(),
      await db.conversation.findMany(),
    ]);
    expect(markers.filter((m) => rows.includes(m))).toEqual([]);
    const bytes = Buffer.concat(
      ["", "-wal", "-shm"].flatMap((x) => {
        try {
          return [readFileSync(t!.file + x)];
        } catch {
          return [];
        }
      }),
    );
    expect(markers.filter((m) => bytes.includes(Buffer.from(m)))).toEqual([]);
    expect(await db.outbox.count({ where: { status: { in: ["pending", "failed", "sending"] } } })).toBe(0);
  });
});
