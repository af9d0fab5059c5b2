// A family finishing the dialog → the center's operators' chat gets a notice (through the outbox,
// in the same transaction as the request), and the notice holds no personal data.
import { describe, expect, it } from "vitest";
import { makeService, Person, routedDbPerTest, walkToSummary } from "../dialog/db-fixture.ts";

const tmp = routedDbPerTest({ operatorsChat: "-100500" });
const clock = () => new Date("2026-03-02T06:00:00Z");

describe("notice on a new request", () => {
  it("enqueues one notice per linked chat with the number and link, none of the family's words", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToSummary(p);
    await p.press("submit");
    const req = await tmp.db.request.findFirstOrThrow();
    const rows = await tmp.db.outbox.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: "telegram", target: "-100500", kind: "center_new_request", requestId: req.id });
    expect(rows[0]!.payload).toContain(req.number);
    expect(rows[0]!.payload).toContain(`https://opora.example/requests/${req.number}`);
    for (const pd of [req.contactName, req.contactPhone, req.description]) {
      if (pd) expect(rows[0]!.payload).not.toContain(pd);
    }
    expect(req.contactPhone).toBeTruthy();
  });
});
