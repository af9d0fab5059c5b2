// `kill -9` right after a dialog step committed, while its reply is on its way to the Bot API: after
// a restart the family gets that reply once (it is in the outbox, committed with the step), and the
// update Telegram delivers again is not applied twice.
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { startSlowSendProxy } from "../fakes/slow-send-proxy.ts";
import { startBuilt, tempDir } from "../ops/service-process.ts";

beforeAll(() => ensureBuilt({ log: () => undefined }), 180_000);

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe("kill -9 after a committed step", () => {
  it("the reply is delivered once after the restart", async () => {
    const fake = await startFakeTelegramApi();
    closers.push(() => fake.close());
    const proxy = await startSlowSendProxy(fake, -1);
    closers.push(() => proxy.close());
    const dir = tempDir();
    const env = { DATABASE_FILE: path.join(dir, "opora.db"), PORT: "0", TELEGRAM_BOT_TOKEN: fake.token, SESSION_SECRET: "k".repeat(40) };
    const first = startBuilt({ ...env, TELEGRAM_API_ROOT: proxy.apiRoot });
    await first.listening;
    const family = { id: 701, first_name: "Parent", language_code: "ru" };
    fake.push(fake.text(family, "/start"));
    // The step has committed (replies are sent only after the commit) and its first message is in flight.
    await proxy.sendArrived;
    first.child.kill("SIGKILL");
    await first.exited;
    expect(fake.sentTo(family.id)).toHaveLength(0);

    const second = startBuilt({ ...env, TELEGRAM_API_ROOT: fake.apiRoot });
    await second.listening;
    // Taken over once the fast path's hold (20 s) has passed, then sent by the outbox worker.
    await fake.waitFor(() => fake.sentTo(family.id).length > 0, 60_000, "the reply after the restart");
    await new Promise((r) => setTimeout(r, 3000)); // anything sent twice would show by now
    const texts = fake.sentTo(family.id).map((m) => m.text);
    expect(texts.length).toBeGreaterThan(0);
    expect(new Set(texts).size).toBe(texts.length); // each message once
    // The update Telegram delivered again was recognised as applied: one step, one reply.
    expect(second.output()).toMatch(/duplicate update|replies left undelivered/);
  }, 150_000);
});
