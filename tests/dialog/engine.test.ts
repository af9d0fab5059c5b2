import { describe, expect, it } from "vitest";
import { parseToken } from "../../src/dialog/engine.ts";
import { parseState, serializeState } from "../../src/dialog/state.ts";
import { engineCtx, i18n, Talk } from "./fixture.ts";

/** Walks a normal dialog from hello to the summary. */
function toSummary(t = new Talk()): Talk {
  t.send({ type: "start" });
  t.cat("family_conflict").press("done");
  t.press("no"); // danger now
  t.text("Самара");
  t.press("other"); // municipality
  t.press("f:child_under_4").press("done");
  t.press("give");
  t.text("Постоянные ссоры с мужем, ребёнок плачет.");
  t.send({ type: "contact", phone: "+79991234567", own: true });
  // The name and how/when to contact are asked only when edited from the summary.
  t.press("e:name").text("Анна");
  t.press("e:contact").press("call").press("evening");
  return t;
}

describe("dialog engine — happy path", () => {
  it("greets honestly and offers SOS on the first question", () => {
    const t = new Talk().send({ type: "start" });
    expect(t.texts()).toMatch(/бесплатно и конфиденциально/i);
    expect(t.texts()).toContain("сохранить семью");
    expect(t.texts()).toContain("обязаны сообщить");
    expect(t.step).toBe("categories");
    expect(t.options().some((o) => o.token.endsWith(".sos"))).toBe(true);
  });

  it("reaches the summary and submits a request with the right urgency and flags", () => {
    const t = toSummary();
    expect(t.step).toBe("summary");
    expect(t.texts()).toContain("Анна");
    expect(t.texts()).toContain("+79991234567");
    t.press("submit");
    expect(t.step).toBe("done");
    const create = t.effects.find((e) => e.type === "createRequest");
    expect(create?.type).toBe("createRequest");
    if (create?.type !== "createRequest") return;
    expect(create.request).toMatchObject({
      categories: ["family_conflict"],
      urgency: "P2",
      flags: ["child_under_4"],
      regionCode: "63",
      municipalityId: null,
      contactName: "Анна",
      contactPhone: "+79991234567",
      contactMethod: "call",
      contactTime: "evening",
    });
    expect(JSON.stringify(create.request.answers)).not.toContain("Анна");
  });

  it("records consent with version and the hash of the text shown", () => {
    const t = toSummary();
    const consent = t.all.find((e) => e.type === "recordConsent");
    if (consent?.type !== "recordConsent") throw new Error("no consent effect");
    expect(consent.consent.textVersion).toBe("v1-test");
    expect(consent.consent.textHash).toMatch(/^[0-9a-f]{64}$/);
    expect(consent.consent.recipients[0]).toContain("Дети в семье");
  });

  it("shows the consent screen with two consent buttons, 🆘 and a link", () => {
    const t = new Talk().send({ type: "start" });
    t.cat("legal_docs").press("done").press("no");
    t.text("63").press("other").press("none");
    expect(t.step).toBe("consent");
    const last = t.replies.at(-1)!;
    if (last.type !== "text") throw new Error("consent is text");
    // Give / decline, nothing preselected; the emergency button is never gated by consent (issue 11).
    expect(last.options?.map((row) => row.map((o) => o.token.split(".")[1]))).toEqual([["give"], ["decline"], ["sos"]]);
    // The exact text of this screen: version, language, the center it names (issue 13).
    expect(last.link?.url).toMatch(/^https:\/\/opora\.example\/consent\/v1-test\?lang=ru(&center=[\w-]+)?$/);
  });

  it("uses a deep-link region payload and skips the region question", () => {
    const t = new Talk().send({ type: "start", payload: "67" });
    t.cat("housing").press("done").press("no").press("no");
    expect(t.step).toBe("consent");
  });

  it("edits from the summary and comes back to it", () => {
    const t = toSummary();
    t.press("e:name");
    expect(t.step).toBe("name");
    t.text("Мария");
    expect(t.step).toBe("summary");
    expect(t.texts()).toContain("Мария");
    t.press("e:contact");
    expect(t.step).toBe("contact_method");
    t.press("message").press("any");
    expect(t.step).toBe("summary");
  });
});

describe("dialog engine — urgency", () => {
  it("danger now → emergency numbers, then the fast path to a P0 request", () => {
    const t = new Talk().send({ type: "start" });
    t.cat("violence").press("done");
    t.press("yes");
    expect(t.texts()).toContain("112");
    expect(t.step).toBe("p0_safe");
    t.press("unsafe").text("Самара").press("other").press("give");
    expect(t.step).toBe("phone");
    t.text("8 (999) 123-45-67");
    // No question about how to contact on the emergency path: a call to the number given.
    const create = t.effects.find((e) => e.type === "createRequest");
    if (create?.type !== "createRequest") throw new Error("no request");
    expect(create.request.urgency).toBe("P0");
    expect(create.request.flags).toContain("danger_now");
    expect(create.request.contactPhone).toBe("+79991234567");
    expect(create.request.contactMethod).toBe("call");
  });

  it("a P0 check answer (no shelter tonight) enters the emergency path", () => {
    const t = new Talk().send({ type: "start" });
    t.cat("housing").press("done").press("no").press("yes");
    expect(t.step).toBe("p0_safe");
  });

  it("other_info only → information mode, no request", () => {
    const t = new Talk().send({ type: "start" });
    t.cat("other_info").press("done").press("no").text("Самара").press("other");
    expect(t.step).toBe("info");
    expect(t.texts()).toContain("Дети в семье");
    expect(t.all.some((e) => e.type === "createRequest")).toBe(false);
  });

  it("under 18 → helpline, nothing personal kept", () => {
    const t = new Talk().send({ type: "start" });
    t.cat("family_conflict").press("done").press("minor");
    expect(t.step).toBe("teen_help");
    expect(t.texts()).toContain("8-800-2000-122");
    expect(t.state?.answers.name).toBeUndefined();
    // «Мне уже есть 18» on the teen screen: back to the danger question, which was not answered.
    t.press("adult");
    expect(t.step).toBe("danger_now");
  });
});

describe("dialog engine — red flags at every kind of step", () => {
  const steps: [string, (t: Talk) => void][] = [
    ["categories", (t) => t.send({ type: "start" })],
    ["region", (t) => t.send({ type: "start" }).cat("legal_docs").press("done").press("no")],
    ["description", (t) => t.send({ type: "start" }).cat("legal_docs").press("done").press("no").text("63").press("other").press("none").press("give")],
    ["danger_now (button step)", (t) => t.send({ type: "start" }).cat("legal_docs").press("done")],
    ["summary", (t) => toSummary(t)],
  ];
  for (const [name, reach] of steps) {
    it(`screens free text at ${name}`, () => {
      const t = new Talk();
      reach(t);
      t.text("он сказал что убьёт меня");
      expect(t.texts()).toContain("112");
      expect(t.step).toBe("p0_safe");
      expect(t.state?.urgent).toBe(true);
    });
  }

  it("after consent the P0 path asks only what is missing", () => {
    const t = toSummary();
    t.text("мне не хочу жить");
    t.press("safe");
    // region, consent and phone are known: straight to the request.
    expect(t.step).toBe("done");
    const create = t.effects.find((e) => e.type === "createRequest");
    if (create?.type !== "createRequest") throw new Error("no request");
    expect(create.request.urgency).toBe("P0");
  });

  it("after the request is sent a red flag escalates it", () => {
    const t = toSummary().press("submit");
    t.text("он опять избивает");
    expect(t.effects.some((e) => e.type === "escalateRequest")).toBe(true);
    expect(t.texts()).toContain("112");
  });

  it("a false alarm can be left and the dialog goes on", () => {
    const t = new Talk().send({ type: "start" });
    // (A topic word alone such as «нож» no longer raises P0: a whole phrase does.)
    t.text("он сказал что убьёт меня");
    expect(t.step).toBe("p0_safe");
    t.press("nodanger");
    expect(t.state?.urgent).toBe(false);
    expect(t.step).toBe("categories");
  });
});

describe("dialog engine — buttons, commands, bad input", () => {
  it("a stale button is recognised and never applied twice", () => {
    const t = new Talk().send({ type: "start" });
    const done = t.options().find((o) => o.token.endsWith(".c:violence"))!;
    t.send({ type: "option", token: done.token });
    expect(t.state?.answers.categories).toEqual(["violence"]);
    t.send({ type: "option", token: done.token });
    expect(t.state?.answers.categories).toEqual(["violence"]);
    expect(t.texts()).toContain("уже позади");
    t.send({ type: "option", token: "forged-payload" });
    expect(t.texts()).toContain("уже позади");
  });

  it("SOS works even from a stale message", () => {
    const t = new Talk().send({ type: "start" });
    const sos = t.options().find((o) => o.token.endsWith(".sos"))!;
    t.cat("violence").press("done");
    t.send({ type: "option", token: sos.token });
    expect(t.texts()).toContain("112");
    expect(t.step).toBe("danger_now");
  });

  it("tokens are ASCII and at most 64 bytes", () => {
    const t = toSummary();
    for (const o of t.options()) {
      expect(Buffer.byteLength(o.token)).toBeLessThanOrEqual(64);
      expect(o.token).toMatch(/^[\x20-\x7e]+$/);
      expect(parseToken(o.token)).not.toBeNull();
    }
  });

  it("typed text maps to options, wrong numbers are explained", () => {
    const t = new Talk().send({ type: "start" });
    t.cat("violence").press("done");
    t.text("8");
    expect(t.texts()).toContain("Такого варианта нет");
    expect(t.step).toBe("danger_now");
    t.text("нет");
    expect(t.step).toBe("region");
    t.text("63").text("2");
    expect(t.step).toBe("family_flags");
  });

  it("free text at the categories step is matched and offered for confirmation", () => {
    const t = new Talk().send({ type: "start" });
    t.text("муж пьёт, денег нет");
    expect(t.step).toBe("category_confirm");
    expect(t.texts()).toContain(i18n.t("ru", "cat-addiction"));
    t.press("yes");
    expect(t.state?.answers.categories).toEqual(expect.arrayContaining(["addiction", "material_need"]));
    expect(t.step).toBe("danger_now");
  });

  it("empty, emoji-only, unsupported and over-long input", () => {
    const t = new Talk().send({ type: "start" }).cat("legal_docs").press("done").press("no").text("63").press("other").press("none").press("give");
    t.text("   ");
    expect(t.texts()).toContain("пустое");
    t.text("😭😭");
    expect(t.texts()).toContain("непросто");
    t.send({ type: "unsupported", kind: "photo" });
    expect(t.texts()).toContain("только текст");
    expect(t.step).toBe("description");
    t.text("а".repeat(1500));
    expect(t.texts()).toContain("только начало");
    expect(t.state?.answers.description?.length).toBe(1000);
  });

  it("phones: typed variants, invalid, foreign, someone else's contact", () => {
    const reach = () =>
      toSummary().press("e:phone");
    const cases: [string, string | null][] = [
      ["8 (999) 123-45-67", "+79991234567"],
      ["+7 999 1234567", "+79991234567"],
      ["9991234567", "+79991234567"],
      ["12345", null],
    ];
    for (const [input, expected] of cases) {
      const t = reach();
      t.text(input);
      if (expected) {
        expect(t.state?.answers.phone).toBe(expected);
        expect(t.step).toBe("summary");
      } else {
        expect(t.step).toBe("phone");
        expect(t.texts()).toMatch(/цифр|номер/);
      }
    }
    const f = reach().text("+44 20 7946 0958");
    expect(f.state?.answers.phone).toBe("+442079460958");
    expect(f.texts()).toContain("иностранный");
    const other = reach().send({ type: "contact", phone: "79990001122", own: false });
    expect(other.step).toBe("phone_confirm");
    expect(other.state?.answers.phone).toBeUndefined();
    other.press("use");
    expect(other.state?.answers.phone).toBe("+79990001122");
  });

  it("back works, /cancel forgets, /lang switches", () => {
    const t = new Talk().send({ type: "start" });
    t.cat("violence").press("done");
    expect(t.step).toBe("danger_now");
    t.send({ type: "command", name: "back" });
    expect(t.step).toBe("categories");
    expect(t.state?.answers.categories).toEqual(["violence"]);
    t.send({ type: "command", name: "lang", arg: "en" });
    expect(t.texts()).toContain("What is happening");
    t.send({ type: "command", name: "cancel" });
    expect(t.step).toBe("cancelled");
    expect(t.state?.answers.categories).toEqual([]);
  });

  it("after 24 h of silence offers to continue or start over", () => {
    const t = new Talk().send({ type: "start" });
    t.cat("violence").press("done");
    t.ctx = { ...t.ctx, now: new Date(t.ctx.now.getTime() + 25 * 3600_000) };
    t.text("нет");
    expect(t.state?.modal?.kind).toBe("resume");
    t.press("continue");
    expect(t.step).toBe("danger_now");
    expect(t.state?.modal).toBeUndefined();
  });

  it("state survives JSON and rejects unknown versions", () => {
    const t = toSummary();
    const json = serializeState(t.state!);
    expect(parseState(json)).toEqual({ type: "ok", state: t.state });
    expect(parseState(JSON.stringify({ ...t.state, v: 99 })).type).toBe("reset");
    expect(parseState("{not json").type).toBe("reset");
  });

  it("works in English too", () => {
    const ctx = { ...engineCtx(), localeHint: "en" as const };
    const t = new Talk(ctx).send({ type: "start" });
    expect(t.texts()).toMatch(/free and confidential/i);
  });
});
