// Where /metrics is served and how HTTP requests are measured and logged.
// /metrics on the public port needs `Authorization: Bearer METRICS_TOKEN` (404 without a token
// configured); METRICS_PORT serves it without a token on an internal address (METRICS_HOST).
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { FastifyInstance } from "fastify";
import type { Logger } from "../logging/logger.ts";
import type { DialogService } from "../dialog/service-types.ts";
import type { Metrics, Messenger } from "./metrics.ts";

/** Measures every route registered after this call (call it before registering plugins). */
export function instrumentHttp(app: FastifyInstance, metrics: Metrics, opts: { token?: string }): void {
  app.addHook("onResponse", async (req, reply) => {
    // Route patterns only (never the raw URL): ids and codes in paths stay out of labels and logs.
    metrics.httpRequest(req.method, req.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
  });
  const expected = opts.token ? Buffer.from(`Bearer ${opts.token}`) : undefined;
  app.get("/metrics", async (req, reply) => {
    if (!expected) return reply.code(404).send({ error: "not_found", message: "metrics are not served on this port" });
    const got = Buffer.from(req.headers.authorization ?? "");
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      return reply.code(401).header("WWW-Authenticate", "Bearer").send({ error: "unauthorized", message: "metrics need the metrics token" });
    }
    return reply.type(metrics.contentType).send(await metrics.scrape());
  });
}

/** A plain HTTP listener for /metrics only, meant for an internal address. */
export async function startMetricsServer(opts: { host: string; port: number; metrics: Metrics; log: Logger }): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    opts.metrics.scrape().then(
      (text) => res.writeHead(200, { "content-type": opts.metrics.contentType }).end(text),
      (err: unknown) => {
        opts.log.error({ code: (err as { code?: string }).code }, "metrics scrape failed");
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, resolve);
  });
  return server;
}

/** The dialog service, counting updates and timing each step per messenger. */
export function instrumentDialog<S extends DialogService>(service: S, metrics: Metrics): S {
  return {
    ...service,
    async handle(ctx, event) {
      const messenger = ctx.channel as Messenger;
      const started = performance.now();
      metrics.updateReceived(messenger);
      try {
        const result = await service.handle(ctx, event);
        metrics.updateApplied(messenger, (performance.now() - started) / 1000);
        return result;
      } catch (err) {
        metrics.updateFailed(messenger, (performance.now() - started) / 1000);
        throw err;
      }
    },
  };
}
