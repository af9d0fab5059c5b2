import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.ts";

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
