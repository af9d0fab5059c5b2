// @fastify/session store on the StaffSession table: the session survives restarts and can be
// revoked by deleting its row. Expired rows are swept now and then on writes.
import type { SessionStore } from "@fastify/session";
import type { Session } from "fastify";
import type { Db } from "../db/client.ts";

export type PrismaSessionStore = SessionStore;

const DEFAULT_TTL_MS = 12 * 60 * 60 * 1000;
const SWEEP_EVERY_MS = 10 * 60 * 1000;

export function createPrismaSessionStore(db: Db, clock: () => Date = () => new Date()): PrismaSessionStore {
  let lastSweep = 0;
  function expiresOf(session: unknown): Date {
    const cookie = (session as { cookie?: { expires?: unknown } } | null)?.cookie;
    const raw = cookie?.expires;
    const at = raw instanceof Date ? raw : typeof raw === "string" ? new Date(raw) : null;
    return at && !Number.isNaN(at.getTime()) ? at : new Date(clock().getTime() + DEFAULT_TTL_MS);
  }
  return {
    set(sid, session, cb) {
      const data = JSON.stringify(session);
      const expiresAt = expiresOf(session);
      const now = clock();
      const sweep =
        now.getTime() - lastSweep > SWEEP_EVERY_MS
          ? db.staffSession.deleteMany({ where: { expiresAt: { lt: now } } }).then(() => {
              lastSweep = now.getTime();
            })
          : Promise.resolve();
      sweep
        .then(() =>
          db.staffSession.upsert({ where: { sid }, create: { sid, data, expiresAt }, update: { data, expiresAt } }),
        )
        .then(() => cb(), (err: unknown) => cb(err));
    },
    get(sid, cb) {
      db.staffSession
        .findUnique({ where: { sid } })
        .then((row) => {
          if (!row || row.expiresAt.getTime() <= clock().getTime()) return cb(null, null);
          cb(null, JSON.parse(row.data) as Session);
        })
        .catch((err) => cb(err));
    },
    destroy(sid, cb) {
      db.staffSession.deleteMany({ where: { sid } }).then(() => cb(), (err: unknown) => cb(err));
    },
  };
}
