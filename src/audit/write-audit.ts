// The one way an audit row is written: the caller's transaction, a typed actor, details as JSON.
// Details never hold personal data (ids, codes, counts only).
import type { Db, Tx } from "../db/client.ts";

export type AuditActor = { type: "staff" | "family" | "system" | "cli"; id?: string | null };

export interface AuditEntry {
  /** Defaults to the database's now. */
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
  await tx.auditLog.create({
    data: {
      ...(e.at ? { at: e.at } : {}),
      actorType: e.actor.type,
      actorId: e.actor.id ?? null,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      regionCode: e.regionCode ?? null,
      requestId: e.requestId ?? null,
      details: JSON.stringify(e.details ?? {}),
    },
  });
}

/** The destruction log's "family" | "system" | "staff:<id>" as an audit actor. */
export function actorFromByWhom(byWhom: string): AuditActor {
  if (byWhom === "family" || byWhom === "system") return { type: byWhom };
  return { type: "staff", id: byWhom.startsWith("staff:") ? byWhom.slice(6) : null };
}
