import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";

describe("configuration", () => {
  it("starts with sensible defaults on an empty environment, with both channels disabled", () => {
    const r = loadConfig({});
    expect(r.type).toBe("ok");
    if (r.type !== "ok") return;
    expect(r.config).toMatchObject({
      databaseFile: "./data/opora.db",
      port: 3000,
      demo: true,
      retentionDays: 180,
      telegram: { enabled: false },
      max: { enabled: false },
    });
  });

  it("enables a channel when its token is set, keeping the configured API root", () => {
    const r = loadConfig({ TELEGRAM_BOT_TOKEN: "123:abc", TELEGRAM_API_ROOT: "http://127.0.0.1:9000/", MAX_BOT_TOKEN: "m" });
    expect(r.type === "ok" && r.config.telegram).toEqual({
      enabled: true,
      token: "123:abc",
      apiRoot: "http://127.0.0.1:9000",
      mode: "polling",
      webhookSecret: undefined,
    });
    expect(r.type === "ok" && r.config.max.enabled).toBe(true);
  });

  it("lists every problem at once", () => {
    const r = loadConfig({ PORT: "abc", LOG_LEVEL: "loud", RETENTION_DAYS: "0", PUBLIC_BASE_URL: "ftp://x" });
    expect(r.type).toBe("invalid");
    if (r.type !== "invalid") return;
    const fields = r.problems.map((p) => p.split(":")[0]);
    expect(fields).toEqual(expect.arrayContaining(["PORT", "LOG_LEVEL", "RETENTION_DAYS", "PUBLIC_BASE_URL"]));
  });

  it("requires a secret and an https public URL for webhook mode, and a session secret outside demo", () => {
    const r = loadConfig({ TELEGRAM_BOT_TOKEN: "1:a", TELEGRAM_MODE: "webhook", DEMO: "false" });
    expect(r.type).toBe("invalid");
    if (r.type !== "invalid") return;
    expect(r.problems.join("\n")).toMatch(/TELEGRAM_WEBHOOK_SECRET: required/);
    expect(r.problems.join("\n")).toMatch(/PUBLIC_BASE_URL: must be https/);
    expect(r.problems.join("\n")).toMatch(/SESSION_SECRET: required/);
  });
});
