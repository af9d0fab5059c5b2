// The first superadmin without a shell on the server: at a start with no active superadmin, a
// one-time link is printed to the service's output; whoever opens it first creates the account.
// Only the hash of the token is stored (LinkCode, purpose "bootstrap"), so the database alone
// does not give the link away. `npm run user -- create` is the other way.
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/client.ts";

export const BOOTSTRAP_TTL_MS = 24 * 60 * 60_000;
const PURPOSE = "bootstrap";

const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export async function hasSuperadmin(db: Db): Promise<boolean> {
  return (await db.staffUser.count({ where: { role: "superadmin", active: true } })) > 0;
}

/** A fresh link when no superadmin exists (earlier links stop working), else null. */
export async function issueBootstrapLink(db: Db, publicBaseUrl: string, now: Date): Promise<string | null> {
  if (await hasSuperadmin(db)) return null;
  const token = randomBytes(24).toString("base64url");
  await db.$transaction([
    db.linkCode.deleteMany({ where: { purpose: PURPOSE } }),
    db.linkCode.create({
      data: { code: hashToken(token), purpose: PURPOSE, channel: "web", expiresAt: new Date(now.getTime() + BOOTSTRAP_TTL_MS), createdAt: now },
    }),
  ]);
  return `${publicBaseUrl.replace(/\/+$/, "")}/bootstrap/${token}`;
}

/** Whether the token still opens the bootstrap form. */
export async function bootstrapTokenValid(db: Db, token: string, now: Date): Promise<boolean> {
  if (!/^[\w-]{16,64}$/.test(token)) return false;
  const row = await db.linkCode.findUnique({ where: { code: hashToken(token) } });
  if (!row || row.purpose !== PURPOSE || row.usedAt || row.expiresAt.getTime() <= now.getTime()) return false;
  return !(await hasSuperadmin(db));
}

/** Marks the token used; false when someone else used it first. */
export async function consumeBootstrapToken(db: Db, token: string, now: Date): Promise<boolean> {
  const res = await db.linkCode.updateMany({
    where: { code: hashToken(token), purpose: PURPOSE, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  return res.count === 1;
}

/** Gives back a token consumed at `usedAt` when the account could not be created: the link works again. */
export async function releaseBootstrapToken(db: Db, token: string, usedAt: Date): Promise<void> {
  await db.linkCode.updateMany({ where: { code: hashToken(token), purpose: PURPOSE, usedAt }, data: { usedAt: null } });
}
