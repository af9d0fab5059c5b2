// Walks the flow as a graph (states merged by what decides the branching): from the first message, every option of every step (with a bounded set
// of categories), typed answers at free-text steps, and "back" everywhere. Proves that every
// reachable state can still reach a terminal outcome (request, information, emergency help), that
// "done" is entered only with a request and "info" never with one, and that "back" always moves.
import { describe, expect, it } from "vitest";
import { step } from "../../src/dialog/engine.ts";
import type { InboundEvent } from "../../src/dialog/service-types.ts";
import type { DialogState } from "../../src/dialog/state.ts";
import { engineCtx } from "./fixture.ts";

const ctx = engineCtx();
// A bounded choice of categories: one with no follow-up, one with a P0 follow-up, one with a P1
// follow-up, and information only; at most one at a time keeps the graph small.
const CATS = new Set(["c:family_conflict", "c:housing", "c:other_info", "c:addiction"]);
const TERMINAL = new Set(["done", "info", "teen_help", "cancelled"]);

function keyOf(s: DialogState): string {
  const a = s.answers;
  return JSON.stringify({
    step: s.step, modal: s.modal?.kind, urgent: s.urgent, sos: s.sosUrgent, noDanger: s.noDanger, submitted: s.submitted, cancelled: s.cancelled,
    cats: a.categories, done: a.categoriesDone, sug: a.suggested, page: s.step === "categories" ? a.categoryPage : 0,
    danger: a.dangerNow, u18: a.under18, checks: a.checks, region: a.regionCode, choices: a.regionChoices.length > 0,
    consent: a.consent, pending: a.pendingPhone !== undefined,
    // Which later slots are filled is left out: "back" and "edit" make every combination possible,
    // and the steps after consent do not branch on their values.
  });
}

const TEXTS: Partial<Record<DialogState["step"], string[]>> = {
  categories: ["муж пьёт"],
  region: ["Самара", "Смоленск", "Алтай", "xyzxyz"],
  municipality: ["Сызрань", "Неизвестноград"],
  description: ["Нужна помощь с документами"],
  name: ["Анна"],
  phone: ["12345"],
};

function eventsFor(s: DialogState, optionIds: string[]): InboundEvent[] {
  const events: InboundEvent[] = [{ type: "command", name: "back" }];
  if (s.step === "description") events.push({ type: "command", name: "cancel" });
  for (const id of optionIds) {
    if (id.startsWith("c:") && !CATS.has(id)) continue;
    if (id.startsWith("c:") && !s.answers.categories.includes(id.slice(2) as never) && s.answers.categories.length >= 1) continue;
    if (id.startsWith("f:") && id !== "f:child_under_4") continue;
    events.push({ type: "option", token: `${s.seq}.${id}` });
  }
  for (const text of TEXTS[s.step] ?? []) events.push({ type: "text", text });
  if (s.step === "phone") {
    events.push({ type: "contact", phone: "+79991234567", own: true }, { type: "contact", phone: "+79990001122", own: false });
  }
  return events;
}

describe("every path through the flow", () => {
  it("reaches a terminal outcome from every reachable state, with no dead ends", () => {
    const first = step(null, { type: "start" }, ctx);
    const nodes = new Map<string, { state: DialogState; ids: string[]; next: Set<string> }>();
    const optionIds = (replies: typeof first.replies) =>
      replies.flatMap((r) => (r.type === "removeKeyboard" ? [] : (r.options ?? []).flat())).map((o) => o.token.split(".").slice(1).join("."));
    const queue: string[] = [];
    const add = (state: DialogState, replies: typeof first.replies) => {
      const k = keyOf(state);
      if (!nodes.has(k)) {
        nodes.set(k, { state, ids: optionIds(replies), next: new Set() });
        queue.push(k);
      }
      return k;
    };
    add(first.state, first.replies);
    const problems: string[] = [];
    while (queue.length > 0) {
      const k = queue.shift()!;
      const node = nodes.get(k)!;
      const s = node.state;
      if (!TERMINAL.has(s.step) && node.ids.length === 0 && !TEXTS[s.step]) problems.push(`no way on at ${s.step}`);
      for (const ev of eventsFor(s, node.ids)) {
        const res = step(s, ev, ctx);
        if (res.replies.length === 0) problems.push(`no reply at ${s.step} for ${JSON.stringify(ev)}`);
        const created = res.effects.some((e) => e.type === "createRequest");
        if (res.state.step === "done" && s.step !== "done" && !created) problems.push(`done without request from ${s.step}`);
        if (res.state.step === "info" && created) problems.push(`request in information mode from ${s.step}`);
        if (ev.type === "command" && ev.name === "back" && !["categories", "done", "cancelled"].includes(s.step) && keyOf(res.state) === k) {
          problems.push(`back does nothing at ${s.step}`);
        }
        node.next.add(add(res.state, res.replies));
      }
      if (nodes.size > 60_000) throw new Error("state space bound exceeded");
    }
    // Backward reachability from the terminal steps.
    const ok = new Set([...nodes].filter(([, n]) => TERMINAL.has(n.state.step)).map(([k]) => k));
    for (let changed = true; changed; ) {
      changed = false;
      for (const [k, n] of nodes) {
        if (!ok.has(k) && [...n.next].some((x) => ok.has(x))) {
          ok.add(k);
          changed = true;
        }
      }
    }
    const stuck = [...nodes].filter(([k]) => !ok.has(k)).map(([, n]) => n.state.step);
    expect(problems.slice(0, 10)).toEqual([]);
    expect(stuck).toEqual([]);
    const steps = new Set([...nodes.values()].map((n) => n.state.step));
    for (const st of ["done", "info", "teen_help", "cancelled", "p0_safe", "summary", "region_choose", "phone_confirm", "category_confirm", "check_housing", "check_addiction", "municipality"]) {
      expect(steps.has(st as DialogState["step"]), st).toBe(true);
    }
    expect(nodes.size).toBeGreaterThan(100);
  }, 120_000);
});
