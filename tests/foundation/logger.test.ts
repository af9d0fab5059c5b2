import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.ts";
import { logForUpdate } from "../../src/logging/update-log.ts";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, destination };
}

describe("logger", () => {
  it("redacts names, phones, message texts and tokens wherever they appear", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: "info", destination });
    const child = log.child({ updateId: 42 });
    child.info(
      {
        phone: "+79991234567",
        text: "муж бьёт меня",
        contactName: "Мария",
        token: "123:SECRET",
        message: { text: "не хочу жить", from: { first_name: "Ирина", username: "irina" } },
        request: { contactPhone: "+79990000000", description: "подробности" },
        ok: "kept",
      },
      "update handled",
    );
    const out = lines.join("");
    for (const secret of ["79991234567", "муж бьёт", "Мария", "SECRET", "не хочу жить", "Ирина", "irina", "79990000000", "подробности"]) {
      expect(out).not.toContain(secret);
    }
    const parsed = JSON.parse(lines[0]!);
    expect(parsed).toMatchObject({ updateId: 42, ok: "kept", msg: "update handled", phone: "[redacted]" });
  });
});

describe("an update's log (logForUpdate)", () => {
  it("writes its bindings and the added ones with each line, redacted like any line", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: "info", destination });
    const ulog = logForUpdate(log, { updateId: 7, text: "мне страшно" }).with({ chatId: "42" });
    ulog.info({ result: "ok", phone: "+79991234567" }, "step");
    ulog.warn("no object");
    const out = lines.join("");
    expect(out).not.toContain("мне страшно");
    expect(out).not.toContain("79991234567");
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ updateId: 7, chatId: "42", text: "[redacted]", result: "ok", phone: "[redacted]", msg: "step", level: 30 }),
      expect.objectContaining({ updateId: 7, chatId: "42", msg: "no object", level: 40 }),
    ]);
  });

  it("makes no pino child for lines below the level: most updates write none", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: "warn", destination });
    let children = 0;
    const child = log.child.bind(log);
    log.child = ((...args: Parameters<typeof log.child>) => {
      children += 1;
      return child(...args);
    }) as typeof log.child;
    const ulog = logForUpdate(log, { updateId: 8 });
    ulog.debug("quiet");
    ulog.with({ chatId: "1" }).info({ step: "region" }, "quiet too");
    expect(children).toBe(0);
    ulog.error("loud");
    ulog.error("loud again");
    expect(children).toBe(1);
    expect(lines).toHaveLength(2);
  });
});
