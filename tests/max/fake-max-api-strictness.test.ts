// The fake MAX API refuses what the public schema refuses, in the API's error format
// ({ code, message }): one case per rule added for issue 15.10.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeMaxApi, startFakeMaxApi } from "../fakes/fake-max-api.ts";

const TOKEN = "strict-max-token";
let api: FakeMaxApi;

beforeEach(async () => {
  api = await startFakeMaxApi({ token: TOKEN });
});
afterEach(async () => {
  await api.close();
});

async function call(method: string, path: string, body?: unknown, base = api.baseUrl) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { authorization: TOKEN, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string; success?: boolean } };
}

const keyboard = (row: unknown[]) => ({ text: "q", attachments: [{ type: "inline_keyboard", payload: { buttons: [row] } }] });

describe("fake MAX API: strict like the schema", () => {
  it("refuses buttons the schema refuses: unknown type, no text, a callback without payload, a link without a URL", async () => {
    const refused = async (button: unknown, message: string) => {
      const r = await call("POST", "messages?chat_id=5", keyboard([button]));
      expect(r).toEqual({ status: 400, body: { code: "proto.payload", message } });
    };
    await refused({ type: "magic", text: "x", payload: "p" }, "keyboard: unknown button type magic");
    await refused({ type: "callback", text: "", payload: "p" }, "keyboard: button text is required");
    await refused({ type: "callback", text: "x" }, "keyboard: callback button payload is required");
    await refused({ type: "link", text: "x", url: "ftp://x" }, "keyboard: link button url is invalid");
    expect((await call("POST", "messages?chat_id=5", keyboard([{ type: "callback", text: "x", payload: "p" }, { type: "link", text: "y", url: "https://e.org" }]))).status).toBe(200);
  });

  it("answers only a press it delivered", async () => {
    const r = await call("POST", "answers?callback_id=made-up", { notification: "x" });
    expect(r).toEqual({ status: 404, body: { code: "not.found", message: "callback not found" } });
    const sent = await call("POST", "messages?chat_id=5", keyboard([{ type: "callback", text: "x", payload: "p" }]));
    expect(sent.status).toBe(200);
    const message = api.lastMessage(5);
    const press = api.callback({ userId: 5, chatId: 5 }, message!, "p") as { callback: { callback_id: string } };
    expect((await call("POST", `answers?callback_id=${press.callback.callback_id}`, { notification: "ok" })).status).toBe(200);
  });

  it("answers a press once: a second answer of the same callback_id is refused, also when MAX delivered the press again", async () => {
    await call("POST", "messages?chat_id=5", keyboard([{ type: "callback", text: "x", payload: "p" }]));
    const message = api.lastMessage(5)!;
    api.callback({ userId: 5, chatId: 5 }, message, "p", "cb-once");
    expect((await call("POST", "answers?callback_id=cb-once", { notification: "ok" })).status).toBe(200);
    const again = { status: 400, body: { code: "callback.answered", message: "callback already answered" } };
    expect(await call("POST", "answers?callback_id=cb-once", { notification: "ok" })).toEqual(again);
    api.callback({ userId: 5, chatId: 5 }, message, "p", "cb-once"); // the same press delivered again
    expect(await call("POST", "answers?callback_id=cb-once", { message: { text: "q", attachments: [] } })).toEqual(again);
    expect(api.answers.filter((a) => a.callbackId === "cb-once")).toHaveLength(1);
  });

  it("refuses a message with neither text nor attachments", async () => {
    for (const body of [{ text: "" }, { text: "   " }, {}, { text: "", attachments: [] }]) {
      expect(await call("POST", "messages?chat_id=5", body)).toEqual({ status: 400, body: { code: "proto.payload", message: "text: message is empty" } });
    }
    expect(api.messagesTo(5)).toHaveLength(0);
  });

  it("with a rate limit on (MAX: 30/s; 5 here, so a slow machine cannot spread them over a second), the request over it gets 429 too.many.requests", async () => {
    const limited = await startFakeMaxApi({ token: TOKEN, requestsPerSecond: 5 });
    try {
      const results = [];
      for (let i = 0; i < 6; i++) results.push(await call("POST", `messages?chat_id=${i + 1}`, { text: "x" }, limited.baseUrl));
      expect(results.slice(0, 5).every((r) => r.status === 200)).toBe(true);
      expect(results[5]).toEqual({ status: 429, body: { code: "too.many.requests", message: "Too many requests" } });
    } finally {
      await limited.close();
    }
  });
});
