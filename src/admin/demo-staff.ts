// Demo accounts (demo mode only): one operator per demo center and one regional admin per demo
// region, created only when no staff exists at all. Each gets a random password, printed once at
// the start that creates it and stored only as a hash: no password is public.
import { randomBytes } from "node:crypto";
import { createStaffUser } from "../auth/users.ts";
import type { Db } from "../db/client.ts";

export const DEMO_EMAIL_DOMAIN = "demo.opora.local";

export interface DemoLogin {
  email: string;
  password: string;
  role: "operator" | "regional_admin";
}

/** 16 characters from an alphabet without look-alikes, easy to copy from a terminal. */
export function randomDemoPassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join("");
}

export async function seedDemoStaff(db: Db): Promise<DemoLogin[]> {
  if ((await db.staffUser.count()) > 0) return [];
  const centers = await db.center.findMany({ where: { isDemo: true, active: true }, orderBy: { key: "asc" } });
  const out: DemoLogin[] = [];
  for (const c of centers) {
    const email = `operator.${c.key}@${DEMO_EMAIL_DOMAIN}`;
    const password = randomDemoPassword();
    const r = await createStaffUser(
      db,
      { email, password, name: `Оператор (${c.name})`.slice(0, 200), role: "operator", centerKeys: [c.key] },
      { type: "system", id: "demo" },
    );
    if (r.type === "created") out.push({ email, password, role: "operator" });
  }
  const regions = [...new Set(centers.map((c) => c.regionCode).filter((x): x is string => x !== null))].sort();
  for (const code of regions) {
    const email = `admin.${code}@${DEMO_EMAIL_DOMAIN}`;
    const password = randomDemoPassword();
    const r = await createStaffUser(
      db,
      { email, password, name: `Администратор региона ${code}`, role: "regional_admin", regionCode: code },
      { type: "system", id: "demo" },
    );
    if (r.type === "created") out.push({ email, password, role: "regional_admin" });
  }
  return out;
}

/**
 * Outside the demo, accounts a demo once created are switched off: older versions gave them a
 * public password, and a database that served a demo must not open to it in production.
 */
export async function deactivateDemoStaff(db: Db): Promise<number> {
  const res = await db.staffUser.updateMany({
    where: { email: { endsWith: `@${DEMO_EMAIL_DOMAIN}` }, active: true },
    data: { active: false },
  });
  return res.count;
}
