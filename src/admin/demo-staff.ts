// Demo accounts (demo mode only): one operator per demo center and one regional admin per demo
// region, created only when no staff exists at all. The password is a fixed, public demo value.
import { createStaffUser } from "../auth/users.ts";
import type { Db } from "../db/client.ts";

export const DEMO_PASSWORD = "opora-demo-password";

export interface DemoLogin {
  email: string;
  password: string;
  role: "operator" | "regional_admin";
}

export async function seedDemoStaff(db: Db): Promise<DemoLogin[]> {
  if ((await db.staffUser.count()) > 0) return [];
  const centers = await db.center.findMany({ where: { isDemo: true, active: true }, orderBy: { key: "asc" } });
  const out: DemoLogin[] = [];
  for (const c of centers) {
    const email = `operator.${c.key}@demo.opora.local`;
    const r = await createStaffUser(
      db,
      { email, password: DEMO_PASSWORD, name: `Оператор (${c.name})`.slice(0, 200), role: "operator", centerKeys: [c.key] },
      { type: "system", id: "demo" },
    );
    if (r.type === "created") out.push({ email, password: DEMO_PASSWORD, role: "operator" });
  }
  const regions = [...new Set(centers.map((c) => c.regionCode).filter((x): x is string => x !== null))].sort();
  for (const code of regions) {
    const email = `admin.${code}@demo.opora.local`;
    const r = await createStaffUser(
      db,
      { email, password: DEMO_PASSWORD, name: `Администратор региона ${code}`, role: "regional_admin", regionCode: code },
      { type: "system", id: "demo" },
    );
    if (r.type === "created") out.push({ email, password: DEMO_PASSWORD, role: "regional_admin" });
  }
  return out;
}
