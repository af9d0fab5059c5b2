// The one way an audit row is written: the caller's transaction, a typed actor, details as JSON.
// Details never hold personal data (ids, codes, counts only).
import type { Db, Tx } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";

export type AuditActor = { type: "staff" | "family" | "system" | "cli"; id?: string | null };

export interface AuditEntry {
  /** Defaults to the process's now. */
  at?: Date;
  actor: AuditActor;
  action: string;
  entityType: string;
  entityId: string;
  regionCode?: string | null;
  requestId?: number | null;
  details?: Record<string, unknown>;
}

export async function writeAudit(tx: Tx | Db, e: AuditEntry): Promise<void> {
  // Typed SQL: a request's creation writes one in the family's step (Prisma's query compiler would
  // cost more CPU than the INSERT).
  await tx.$executeRaw`INSERT INTO "AuditLog" ("at", "actorType", "actorId", "action", "entityType", "entityId", "regionCode", "requestId", "details")
    VALUES (${e.at ?? new Date()}, ${e.actor.type}, ${e.actor.id ?? null}, ${e.action}, ${e.entityType}, ${e.entityId}, ${e.regionCode ?? null},
      ${e.requestId ?? null}, ${JSON.stringify(e.details ?? {})})`;
}

/**
 * PostgreSQL, inside the statement that inserts a request: the audit row of each request `source`
 * (a CTE of the inserted rows) returned, as writeAudit would write it. Its id, region and number
 * come from the row; the number goes first in the details, as in `{ number, ...details }`.
 */
export function auditOfInsertedRequestSql(source: string, e: { at: Date; actor: AuditActor; action: string; details: Record<string, unknown> }): Prisma.Sql {
  const rest = JSON.stringify(e.details).slice(1);
  const details = rest === "}" ? Prisma.sql`'{"number":' || to_json(s."number")::text || '}'` : Prisma.sql`'{"number":' || to_json(s."number")::text || ',' || ${rest}::text`;
  return Prisma.sql`INSERT INTO "AuditLog" ("at", "actorType", "actorId", "action", "entityType", "entityId", "regionCode", "requestId", "details")
    SELECT ${e.at}::timestamp(3), ${e.actor.type}::text, ${e.actor.id ?? null}::text, ${e.action}::text, 'request', s."id"::text, s."regionCode", s."id", ${details}
    FROM ${Prisma.raw(`"${source}"`)} s`;
}

/** The destruction log's "family" | "system" | "staff:<id>" as an audit actor. */
export function actorFromByWhom(byWhom: string): AuditActor {
  if (byWhom === "family" || byWhom === "system") return { type: byWhom };
  return { type: "staff", id: byWhom.startsWith("staff:") ? byWhom.slice(6) : null };
}
