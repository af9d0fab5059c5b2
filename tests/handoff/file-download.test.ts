// The download of a family's file stops as soon as it grows past the limit, also when the server
// does not say the size in advance (chunked), and failures are told apart: retried or given up.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { downloadBytes } from "../../src/requests/attachment-download.ts";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** Serves `chunks` count of 1 KB chunks without a Content-Length; `status` other than 200 as is. */
async function serve(opts: { chunks: number; status?: number }): Promise<{ url: string; sent: () => number }> {
  let sent = 0;
  server = createServer((_req, res) => {
    res.writeHead(opts.status ?? 200, { "content-type": "image/jpeg" });
    let i = 0;
    const next = () => {
      if (i++ >= opts.chunks || res.destroyed) return res.end();
      sent += 1;
      res.write(Buffer.alloc(1024, 0x42), () => setImmediate(next));
    };
    next();
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/f`, sent: () => sent };
}

describe("downloadBytes", () => {
  it("keeps a file within the limit whole", async () => {
    const { url } = await serve({ chunks: 4 });
    const got = await downloadBytes(url, 8 * 1024);
    expect(got.type).toBe("ok");
    if (got.type === "ok") {
      expect(got.bytes.byteLength).toBe(4 * 1024);
      expect(got.mime).toBe("image/jpeg");
    }
  });

  it("stops reading a chunked file past the limit and reports it too large", async () => {
    const { url, sent } = await serve({ chunks: 2000 });
    expect(await downloadBytes(url, 16 * 1024)).toEqual({ type: "too_large" });
    // Stopped early: far from all 2 MB were sent.
    expect(sent()).toBeLessThan(1500);
  });

  it("5xx is retried, 404 is given up, a non-http URL is refused without a call", async () => {
    const busy = await serve({ chunks: 1, status: 503 });
    expect(await downloadBytes(busy.url, 1024)).toEqual({ type: "retry", code: "HTTP_503" });
    server?.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
    const { url } = await serve({ chunks: 1, status: 404 });
    expect(await downloadBytes(url, 1024)).toEqual({ type: "gone", code: "HTTP_404" });
    expect(await downloadBytes("file:///etc/passwd", 1024)).toEqual({ type: "gone", code: "BAD_URL" });
  });
});
