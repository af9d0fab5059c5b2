// Over the bot's overall rate, an urgent family's reply goes before the replies already waiting
// (issue 15.7, as tests/telegram/reply-order-timing.test.ts checks for Telegram): the MAX channel
// hands the step's priority to every call of its replies.
import { describe, expect, it } from "vitest";
import type { DialogService, HandleResult } from "../../src/dialog/service-types.ts";
import type { FakeMessage, FakeUser } from "../fakes/fake-max-api.ts";
import { type Harness, waitFor } from "./harness.ts";
import { maxWorld } from "./max-world.ts";

const URGENT: FakeUser = { userId: 999, chatId: 9999 };
const ORDINARY: FakeUser[] = Array.from({ length: 12 }, (_, i) => ({ userId: 100 + i, chatId: 1000 + i }));
const PER_SECOND = 4;

const world = maxWorld({ demoRouting: false });
let h: Harness | undefined;

describe("MAX replies over the bot's overall rate", () => {
  it("an urgent family's reply goes out first once the window allows, ahead of the families queued before it", async () => {
    const service: DialogService = {
      async handle(ctx): Promise<HandleResult> {
        const urgent = ctx.chatId === String(URGENT.chatId);
        return { type: "handled", replies: [{ type: "text", text: urgent ? "112" : "ok" }], urgent };
      },
    };
    h = await world.start("webhook", {
      service,
      channel: { menuRow: false, outbound: { ratePerSecond: PER_SECOND, maxConcurrent: 20, minRetryDelayMs: 20, maxRetryDelayMs: 100 } },
    });
    const sent: FakeMessage[] = [];
    h.api.onSent((m) => sent.push(m));
    for (const f of ORDINARY) await h.deliver(h.api.textMessage(f, "привет"));
    await waitFor(() => sent.length >= PER_SECOND || undefined, 5000, "the first window");
    // Eight ordinary replies wait for the next windows when the urgent family writes.
    await h.deliver(h.api.textMessage(URGENT, "помогите"));
    await waitFor(() => sent.length === ORDINARY.length + 1 || undefined, 10_000, "every reply");
    await h.settle();

    const order = sent.map((m) => m.chatId);
    expect(order.indexOf(URGENT.chatId), order.join(", ")).toBe(PER_SECOND);
  });
});
