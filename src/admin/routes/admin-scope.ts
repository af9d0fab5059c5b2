// Region-scoped admin pages live under /admin/:region/…; anyone outside the region gets 404.
import { writeAudit } from "../../audit/write-audit.ts";
import type { FastifyRequest } from "fastify";
import type { z } from "zod";
import type { Tx } from "../../db/client.ts";
import type { Region } from "../../generated/prisma/client.ts";
import { findRegion } from "../repositories/region-repository.ts";
import { type AdminDeps, canAdminRegion, notFound, requireStaff, type Staff } from "../web-context.ts";

export async function requireRegionAdmin(
  deps: AdminDeps,
  req: FastifyRequest,
): Promise<{ staff: Staff; region: Region }> {
  const staff = requireStaff(req);
  const code = (req.params as { region?: unknown }).region;
  if (typeof code !== "string" || !/^\d{2}$/.test(code) || !canAdminRegion(staff, code)) throw notFound();
  const region = await findRegion(deps.db, code);
  if (!region) throw notFound();
  return { staff, region };
}

/** zod issues → one message per form field, shown next to the field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "_form");
    out[field] ??= issue.message;
  }
  return out;
}

export async function auditAdmin(
  tx: Tx,
  staff: Staff,
  action: string,
  entityType: string,
  entityId: string,
  regionCode: string | null,
  details: Record<string, unknown>,
  at: Date,
): Promise<void> {
  await writeAudit(tx, { at, actor: { type: "staff", id: staff.id }, action, entityType, entityId, regionCode, details });
}

export const checkbox = (v: unknown) => v === "on" || v === "true" || v === "1" || v === true;
export const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
