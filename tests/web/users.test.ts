import { describe, expect, it } from "vitest";
import { Browser, buildAdminTestApp } from "./helpers.ts";
import { seededDbPerTest } from "./seeded-db.ts";

const seeded = seededDbPerTest();

describe("users of the region", () => {
  it("a regional admin adds an operator of a center of the region, who can then log in; deactivation ends access", async () => {
    const t = await seeded();
    const app = await buildAdminTestApp({ db: t.db });
    const admin = new Browser(app);
    await admin.login("admin63@test.local");
    const samara = await t.db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
    const smolensk = await t.db.center.findUniqueOrThrow({ where: { key: "smolensk-vyhod-est" } });

    const short = await admin.postForm("/admin/63/users", { name: "Ольга", email: "olga@center.ru", password: "short", centerIds: samara.id }, "/admin/63/users");
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain("не короче 10 знаков");
    const foreign = await admin.postForm("/admin/63/users", { name: "Ольга", email: "olga@center.ru", password: "long-enough-1", centerIds: smolensk.id }, "/admin/63/users");
    expect(foreign.statusCode).toBe(400);
    expect(await t.db.staffUser.count({ where: { email: "olga@center.ru" } })).toBe(0);

    const ok = await admin.postForm("/admin/63/users", { name: "Ольга", email: "Olga@Center.ru", password: "long-enough-1", centerIds: samara.id }, "/admin/63/users");
    expect(ok.statusCode).toBe(303);
    const olga = await t.db.staffUser.findUniqueOrThrow({ where: { email: "olga@center.ru" }, include: { memberships: true } });
    expect(olga.role).toBe("operator");
    expect(olga.memberships.map((m) => m.centerId)).toEqual([samara.id]);
    expect(await t.db.auditLog.count({ where: { action: "staff.create", entityId: olga.id } })).toBe(1);

    const op = new Browser(app);
    await op.login("olga@center.ru", "long-enough-1");
    expect((await op.get("/queue")).statusCode).toBe(200);

    expect((await admin.postForm(`/admin/63/users/${olga.id}/active`, { active: "false" }, "/admin/63/users")).statusCode).toBe(303);
    expect((await op.get("/queue")).statusCode).not.toBe(200);

    // Another region's admin cannot touch this account.
    const other = new Browser(app);
    await other.login("admin67@test.local");
    expect((await other.postForm(`/admin/67/users/${olga.id}/active`, { active: "true" }, "/admin/67/users")).statusCode).toBe(404);
    expect((await other.postForm(`/admin/63/users/${olga.id}/active`, { active: "true" }, "/admin/67/users")).statusCode).toBe(404);
  });
});
