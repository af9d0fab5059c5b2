// /revoke erases the family's personal data so that a byte search of the database file and its WAL
// finds none of it (secure_delete + a WAL checkpoint after the erasure).
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeService, Person, seedRouting, walkToConsent } from "../dialog/db-fixture.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

let tmp: TempDb;
const clock = () => new Date("2026-03-02T06:00:00Z");
beforeEach(async () => {
  tmp = await createTempDb();
  await seedRouting(tmp.db);
});
afterEach(async () => {
  await tmp.cleanup();
});

function dbBytes(file: string): Buffer {
  const parts = [readFileSync(file)];
  for (const extra of ["-wal", "-journal"]) {
    try {
      parts.push(readFileSync(file + extra));
    } catch {
      // absent: nothing to search
    }
  }
  return Buffer.concat(parts);
}

describe("/revoke leaves no trace in the database file", () => {
  it("erases name, phone, description and message texts from the file and the WAL", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToConsent(p, "Уникальное-описание-Квазимодо");
    await p.press("give");
    await p.text("Евлампия");
    await p.text("+7 999 765-43-21");
    for (let i = 0; i < 6 && !p.texts().includes("Проверьте"); i++) {
      const first = p.options()[0];
      if (!first) break;
      await p.send({ type: "option", token: first.token });
    }
    expect(p.texts()).toContain("Проверьте");
    await p.press("submit");
    await p.text("Сообщение-после-отправки-Гиппогриф");
    const req = await tmp.db.request.findFirstOrThrow();
    expect(req.contactPhone).toBe("+79997654321");
    const markers = ["Евлампия", "79997654321", "Уникальное-описание-Квазимодо", "Сообщение-после-отправки-Гиппогриф"];
    const before = dbBytes(tmp.file);
    expect(markers.filter((m) => before.includes(Buffer.from(m)))).toEqual(markers);

    await p.send({ type: "command", name: "revoke" });
    await p.press("revoke_yes");
    expect(p.texts()).toContain("удалены");

    const after = dbBytes(tmp.file);
    expect(markers.filter((m) => after.includes(Buffer.from(m)))).toEqual([]);
    // Anonymous statistics stay.
    expect(await tmp.db.request.findFirstOrThrow()).toMatchObject({ categories: '["family_conflict"]', regionCode: "63" });
  });
});
