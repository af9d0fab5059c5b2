// The service's one HTTP server: health probes here; the web view and messenger webhooks are
// registered onto it by main.ts as plugins.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logging/logger.ts";

export interface HttpServerDeps {
  db: Db;
  log: Logger;
}

export function createHttpServer({ db, log }: HttpServerDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    // pino's Logger satisfies Fastify's base logger; widen it so plugins see the default instance type.
    loggerInstance: log.child({ component: "http" }) as FastifyBaseLogger,
    // Fastify's own per-request lines are off: we log only method, route pattern and status.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: true,
  });

  app.addHook("onResponse", async (req, reply) => {
    req.log.debug({ method: req.method, route: req.routeOptions.url, status: reply.statusCode }, "request");
  });

  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_req, reply) => {
    try {
      await db.$queryRawUnsafe("SELECT 1");
      return { status: "ready" };
    } catch {
      return reply.code(503).send({ status: "database unavailable" });
    }
  });

  return app;
}
