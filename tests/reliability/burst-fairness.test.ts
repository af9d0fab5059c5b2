// One family's burst of hundreds of messages does not hold up another family: each chat has its own
// queue, and the other family's answer goes out while the burst is still being worked through.
import { describe, expect, it } from "vitest";
import { FAKE_BOT } from "../fakes/fake-telegram-api.ts";
import { telegramWorld } from "../telegram/telegram-world.ts";

const world = telegramWorld();

describe("fair service across chats", () => {
  it("a burst of 300 messages from one family: another family's answer comes while the burst is still being answered", async () => {
    const { api, channel } = await world.start({ channel: { throttle: false, botInfo: { ...FAKE_BOT } as never } });
    const burst = { id: 901, first_name: "Burst", language_code: "ru" };
    const other = { id: 902, first_name: "Other", language_code: "ru" };
    api.push(api.text(burst, "/start"));
    for (let i = 0; i < 300; i++) api.push(api.text(burst, `сообщение ${i}`));
    await api.waitFor(() => api.sentTo(burst.id).length > 5, 20_000, "the burst under way");

    const asked = Date.now();
    api.push(api.text(other, "/start"));
    await api.waitFor(() => api.sentTo(other.id).length > 0, 20_000, "the other family's answer");
    const waited = Date.now() - asked;
    const burstAnswered = await world.db.processedUpdate.count({ where: { channel: "telegram" } });
    // Not after the burst: most of it was still waiting when the other family was answered.
    expect(burstAnswered).toBeLessThan(200);
    expect(waited).toBeLessThan(5_000);
    await channel.idle();
  }, 120_000);
});
