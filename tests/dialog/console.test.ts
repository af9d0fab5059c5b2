import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createConsoleChannel, parseConsoleLine } from "../../src/channels/console/console-channel.ts";
import { makeService, routedDbPerTest } from "./db-fixture.ts";
import { i18n } from "./fixture.ts";

const tmp = routedDbPerTest();

describe("console channel", () => {
  it("parses commands, numbers and phones", () => {
    const opts = [{ label: "A", token: "3.a" }, { label: "B", token: "3.b" }];
    expect(parseConsoleLine("2", opts)).toEqual({ type: "option", token: "3.b" });
    expect(parseConsoleLine("9", opts)).toEqual({ type: "text", text: "9" });
    expect(parseConsoleLine("/phone +79991234567", opts)).toEqual({ type: "contact", phone: "+79991234567", own: true });
    expect(parseConsoleLine("/start 63", opts)).toEqual({ type: "start", payload: "63" });
    expect(parseConsoleLine("/lang en", opts)).toEqual({ type: "command", name: "lang", arg: "en" });
    expect(parseConsoleLine("/quit", opts)).toEqual({ type: "quit" });
  });

  it("goes from hello to a created, routed request through stdin/stdout", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let out = "";
    output.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    const clock = () => new Date("2026-03-02T06:00:00Z");
    const channel = createConsoleChannel({ service: makeService(tmp.db, clock), input, output, chatId: "tty-1", i18n, locale: "ru" });
    const running = channel.run();
    // Numbers refer to the options of the last message: categories page 1 → "Риск изъятия" is 4th.
    const lines = [
      "/start 63",
      "4", // Риск изъятия ребёнка: one topic answers at once
      "нет", // danger now
      "Даю согласие",
      "Боимся, что заберут ребёнка из-за долгов за квартиру",
      "/phone +7 (912) 345-67-89",
      "Изменить имя", // the name is asked only from the summary
      "Ольга",
      "Отправить",
    ];
    for (const l of lines) input.write(`${l}\n`);
    input.end();
    await running;
    expect(out).toContain("Консольный чат");
    expect(out).toContain("  1) ");
    expect(out).toContain("63-00001");
    const req = await tmp.db.request.findFirstOrThrow();
    expect(req).toMatchObject({ channel: "console", urgency: "P1", contactName: "Ольга", contactPhone: "+79123456789", routingReason: "region_default" });
    expect(JSON.parse(req.categories)).toContain("removal_risk");
  });
});
