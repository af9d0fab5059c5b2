// A proxy in front of the fake Bot API that holds `sendMessage` calls: `hold` ms each, or for ever
// (-1: never answered, never forwarded — a send in flight when the process dies). Everything else
// passes through. `sendArrived` resolves when the first sendMessage reaches it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeTelegramApi } from "./fake-telegram-api.ts";

export interface SlowSendProxy {
  apiRoot: string;
  sendArrived: Promise<void>;
  close(): Promise<void>;
}

export async function startSlowSendProxy(fake: FakeTelegramApi, hold: number): Promise<SlowSendProxy> {
  let arrived!: () => void;
  const sendArrived = new Promise<void>((resolve) => (arrived = resolve));
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.url?.endsWith("/sendMessage")) {
      arrived();
      if (hold < 0) return;
      await new Promise((r) => setTimeout(r, hold));
    }
    try {
      const upstream = await fetch(`${fake.apiRoot}${req.url}`, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sendArrived,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
