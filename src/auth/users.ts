// Staff accounts: creation (CLI, demo seed) and credential checks (login form).
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { writeAudit } from "../audit/write-audit.ts";

export const STAFF_ROLES = ["operator", "regional_admin", "superadmin"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const createUserInput = z
  .object({
    email: z.string().trim().toLowerCase().pipe(z.email()),
    password: z.string().min(10, "password must be at least 10 characters").max(200),
    name: z.string().trim().min(1).max(200),
    role: z.enum(STAFF_ROLES),
    regionCode: z
      .string()
      .regex(/^\d{2}$/)
      .optional(),
    centerKeys: z.array(z.string().min(1)).default([]),
    locale: z.enum(["ru", "en"]).default("ru"),
  })
  .superRefine((v, ctx) => {
    if (v.role === "regional_admin" && !v.regionCode) {
      ctx.addIssue({ code: "custom", path: ["regionCode"], message: "a regional admin needs --region" });
    }
    if (v.role === "operator" && v.centerKeys.length === 0) {
      ctx.addIssue({ code: "custom", path: ["centerKeys"], message: "an operator needs at least one --center" });
    }
  });
export type CreateUserInput = z.input<typeof createUserInput>;

export type CreateUserResult =
  | { type: "created"; userId: string }
  | { type: "invalid"; message: string }
  | { type: "exists" }
  | { type: "unknown_region"; regionCode: string }
  | { type: "unknown_center"; centerKey: string };

export async function createStaffUser(
  db: Db,
  input: CreateUserInput,
  actor: { type: "cli" | "staff" | "system"; id?: string } = { type: "cli" },
): Promise<CreateUserResult> {
  const parsed = createUserInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { type: "invalid", message: `${issue?.path.join(".") || "input"}: ${issue?.message ?? "invalid"}` };
  }
  const v = parsed.data;
  if (await db.staffUser.findUnique({ where: { email: v.email } })) return { type: "exists" };
  if (v.regionCode && !(await db.region.findUnique({ where: { code: v.regionCode } }))) {
    return { type: "unknown_region", regionCode: v.regionCode };
  }
  const centers: { id: string; regionCode: string | null }[] = [];
  for (const key of v.centerKeys) {
    const center = await db.center.findUnique({ where: { key } });
    if (!center) return { type: "unknown_center", centerKey: key };
    centers.push(center);
  }
  const passwordHash = await hashPassword(v.password);
  // The e-mail may have been taken since the check above (two processes seeding the demo at once).
  const user = await db.$transaction(async (tx) => {
    if (await tx.staffUser.findUnique({ where: { email: v.email } })) return null;
    const created = await tx.staffUser.create({
      data: {
        email: v.email,
        passwordHash,
        name: v.name,
        role: v.role,
        regionCode: v.role === "regional_admin" ? (v.regionCode ?? null) : (v.regionCode ?? centers[0]?.regionCode ?? null),
        locale: v.locale,
      },
    });
    for (const c of centers) await tx.centerMembership.create({ data: { userId: created.id, centerId: c.id } });
    await writeAudit(tx, {
      actor,
      action: "staff.create",
      entityType: "staff_user",
      entityId: created.id,
      regionCode: created.regionCode,
      details: { role: v.role, centers: v.centerKeys },
    });
    return created;
  });
  if (!user) return { type: "exists" };
  return { type: "created", userId: user.id };
}

export type LoginResult = { type: "ok"; userId: string } | { type: "invalid" };

export async function checkCredentials(db: Db, email: string, password: string): Promise<LoginResult> {
  const user = await db.staffUser.findUnique({ where: { email: email.trim().toLowerCase() } });
  const ok = await verifyPassword(user?.active ? user.passwordHash : null, password);
  return ok && user ? { type: "ok", userId: user.id } : { type: "invalid" };
}
