// The MAX channel's plumbing under load: its HTTP transport, the outbound limiter's fast path,
// the bounded question cache (channelData is the fallback) and the fake API dropping updates the
// bot has acknowledged.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createUndiciFetch } from "../../src/channels/http-transport.ts";
import { createLimiter } from "../../src/channels/max/max-outbound.ts";
import { Family } from "./harness.ts";
import { maxWorld } from "./max-world.ts";

describe("MAX HTTP transport", () => {
  let server: Server;
  let base = "";
  beforeEach(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x");
        const delay = Number(url.searchParams.get("delay") ?? 0);
        setTimeout(() => {
          if (url.pathname === "/html") {
            res.writeHead(502, { "content-type": "text/html" });
            res.end("<html>bad gateway</html>");
            return;
          }
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null, body }));
        }, delay);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("sends method, headers and a JSON body and reads status and JSON back", async () => {
    const fetch = createUndiciFetch();
    const res = await fetch(`${base}/messages?chat_id=1`, {
      method: "POST",
      body: JSON.stringify({ text: "Привет" }),
      headers: { "content-type": "application/json", Authorization: "tok" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: "POST", auth: "tok", body: '{"text":"Привет"}' });
    // Keep-alive: a second call on the same socket works.
    const again = await fetch(`${base}/me`, { headers: { Authorization: "tok" } });
    expect(((await again.json()) as { method: string }).method).toBe("GET");
  });

  it("fails like fetch: unreadable JSON rejects, abort is an AbortError, no server a TypeError", async () => {
    const fetch = createUndiciFetch();
    const res = await fetch(`${base}/html`);
    expect(res.status).toBe(502);
    await expect(res.json()).rejects.toThrow(SyntaxError);
    expect(res.headers.get("Content-Type")).toBe("text/html");

    const ac = new AbortController();
    const pending = fetch(`${base}/slow?delay=2000`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });

    const port = (server.address() as AddressInfo).port;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    const refused = await fetch(`http://127.0.0.1:${port}/me`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as TypeError).message).toBe("fetch failed");
    // afterEach closes it again
    server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
});

describe("outbound limiter", () => {
  it("starts calls without a timer while the budget lasts, then waits for the next second", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance", "Date"] });
    try {
      const limiter = createLimiter(3, 10);
      const started: number[] = [];
      const calls = [0, 1, 2, 3].map((i) =>
        limiter.schedule(async () => {
          started.push(i);
          return i;
        }),
      );
      await vi.advanceTimersByTimeAsync(0); // no clock movement: only promise hops
      expect(started).toEqual([0, 1, 2]);
      // A second and the limiter's lag margin (outbound-limiter.ts, 60 ms).
      await vi.advanceTimersByTimeAsync(1050);
      expect(started).toEqual([0, 1, 2]);
      await vi.advanceTimersByTimeAsync(20);
      expect(started).toEqual([0, 1, 2, 3]);
      expect(await Promise.all(calls)).toEqual([0, 1, 2, 3]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps at most maxConcurrent in flight and starts waiting calls in arrival order", async () => {
    const limiter = createLimiter(1000, 2);
    let active = 0;
    let maxActive = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        limiter.schedule(async () => {
          order.push(i);
          active += 1;
          maxActive = Math.max(maxActive, active);
          await new Promise((r) => setTimeout(r, 5));
          active -= 1;
        }),
      ),
    );
    expect(maxActive).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("frees the slot when a call fails", async () => {
    const limiter = createLimiter(1000, 1);
    await expect(limiter.schedule(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await limiter.schedule(async () => "ok")).toBe("ok");
  });
});

describe("MAX channel memory and state", () => {
  const world = maxWorld();

  it("the fake API forgets updates once the bot has acknowledged them", async () => {
    const h = await world.start("polling");
    const families = [1, 2, 3].map((i) => new Family(h, { userId: 7100 + i, chatId: 8100 + i }));
    for (const f of families) await f.start();
    await families[0]!.say("здравствуйте");
    expect(h.api.pendingUpdates).toBe(0);
    expect(h.api.retainedUpdates).toBe(0);
  });

  it("a question evicted from the cache is still cleaned up, by its id from channelData", async () => {
    const h = await world.start("polling", { channel: { maxCachedQuestions: 1 } });
    const anna = new Family(h, { userId: 7201, chatId: 8201 });
    const boris = new Family(h, { userId: 7202, chatId: 8202 });
    await anna.start();
    const question = anna.messages().at(-1)!;
    expect(question.attachments.length).toBeGreaterThan(0);
    await boris.start(); // Boris's question pushes Anna's out of the cache
    await anna.say("у нас дома постоянные ссоры");
    const edits = h.api.callsTo("PUT", "/messages").filter((c) => c.query.message_id === question.mid);
    expect(edits).toHaveLength(1);
    // Without the cached text only the keyboard is replaced; the text stays as it was.
    expect(edits[0]?.body).toEqual({ attachments: [] });
    expect(question.attachments).toEqual([]);
    expect(question.text.length).toBeGreaterThan(0);
  });
});
