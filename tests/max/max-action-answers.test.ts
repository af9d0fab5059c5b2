// MAX answers some refusals with HTTP 200 and `{success: false}`: the channel must not take them
// for success. A refused keyboard removal or callback answer is logged (by stable code only), and a
// refused answer is not remembered as given, so a redelivered press is answered then.
import { describe, expect, it } from "vitest";
import type { DialogService } from "../../src/dialog/service-types.ts";
import type { FakeUser } from "../fakes/fake-max-api.ts";
import { captureLog, type Harness, waitFor } from "./harness.ts";
import { maxWorld } from "./max-world.ts";

const service: DialogService = {
  async handle(ctx, event) {
    const n = event.type === "option" ? 2 : 1;
    return {
      type: "handled",
      replies: [{ type: "text", text: `Шаг ${n} (${ctx.updateKey.slice(0, 2)})`, options: [[{ label: "Да", token: `s${n}:yes` }]] }],
    };
  },
};
const ANNA: FakeUser = { userId: 7, chatId: 77 };

const world = maxWorld({ demoRouting: false });
let h: Harness | undefined;

describe("MAX success:false answers", () => {
  it("a refused keyboard edit and a refused callback answer are logged; the press is answered when it comes again", async () => {
    const cap = captureLog();
    h = await world.start("webhook", { service, channel: { log: cap.log, menuRow: false } });
    await h.deliver(h.api.botStarted(ANNA));
    const q1 = await waitFor(() => h!.api.lastMessage(ANNA.chatId), 5000, "question");
    h.api.failNext({ status: 200, times: 1, match: "POST /answers", code: "callback.expired" });
    const press = h.api.callback(ANNA, q1, "s1:yes", "cb-1");
    await h.deliver(press);
    await h.settle();
    expect(cap.text()).toMatch(/"kind":"MaxActionRefused".*max callback answer failed/);
    expect(h.api.answers).toHaveLength(0);
    // Delivered again (MAX retries): answered now, and only once however often it comes.
    await h.deliver(press);
    await h.deliver(press);
    await h.settle();
    expect(h.api.answers.filter((a) => a.callbackId === "cb-1")).toHaveLength(1);

    // A text answer removes the question's keyboard by an edit; MAX refuses it with success:false.
    h.api.failNext({ status: 200, times: 1, match: "PUT /messages", code: "edit.denied" });
    await h.deliver(h.api.textMessage(ANNA, "да"));
    await h.settle();
    expect(cap.text()).toMatch(/"kind":"MaxActionRefused".*max keyboard removal failed/);
  });
});
