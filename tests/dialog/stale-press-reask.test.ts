// A press on an old question is answered with the current one again. That must not make the
// current question stale as well: found by the chaos test (tests/cluster/chaos.test.ts), where a
// question re-sent after a crash made families press an old copy; each "already behind" answer then
// invalidated the question the family was answering meanwhile, and the dialog never finished.
import { describe, expect, it } from "vitest";
import { Talk } from "./fixture.ts";

describe("a stale press", () => {
  it("leaves the current question answerable (its buttons and the repeat's both work)", () => {
    const t = new Talk().send({ type: "start" });
    const oldCategory = t.options().find((o) => o.token.endsWith(".c:violence"));
    t.topic("family_conflict");
    const step = t.step;
    const current = t.options().find((o) => o.token.endsWith(".no"));
    expect(current, "the question after the topic has a «Нет»").toBeDefined();

    // The old topic question is pressed (a copy re-sent after a crash): the current one is repeated.
    t.send({ type: "option", token: oldCategory?.token ?? "" });
    expect(t.texts()).toContain("уже позади");
    expect(t.step).toBe(step);
    expect(t.options().find((o) => o.token.endsWith(".no"))?.token).toBe(current?.token);

    // The family answers the question it had before the repeat arrived: that answer counts.
    t.send({ type: "option", token: current?.token ?? "" });
    expect(t.texts()).not.toContain("уже позади");
    expect(t.step).not.toBe(step);
  });

  it("a family always answering the first copy it sees still gets through after several stale presses", () => {
    const t = new Talk().send({ type: "start" });
    const old = t.options().find((o) => o.token.endsWith(".c:violence"))?.token ?? "";
    t.topic("family_conflict");
    const step = t.step;
    const first = t.options().find((o) => o.token.endsWith(".no"))?.token ?? "";
    for (let i = 0; i < 3; i++) t.send({ type: "option", token: old });
    t.send({ type: "option", token: first });
    expect(t.step).not.toBe(step);
  });
});
