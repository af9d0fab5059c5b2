// Who changes a region's setup, where and when: every write of the admin repositories is audited
// with it, in the same transaction as the change.
import { writeAudit } from "../../audit/write-audit.ts";
import type { Tx } from "../../db/client.ts";

export interface AdminChange {
  staffId: string;
  /** The region the change belongs to (the admin's scope, checked by the route). */
  regionCode: string;
  at: Date;
}

export async function auditAdminChange(
  tx: Tx,
  change: AdminChange,
  action: string,
  entity: { type: string; id: string },
  details: Record<string, unknown>,
): Promise<void> {
  await writeAudit(tx, {
    at: change.at,
    actor: { type: "staff", id: change.staffId },
    action,
    entityType: entity.type,
    entityId: entity.id,
    regionCode: change.regionCode,
    details,
  });
}
