// A staff member's own account as the web view reads and changes it: linked messengers, language.
import type { Db } from "../../db/client.ts";
import type { Locale } from "../../i18n/i18n.ts";

export interface LinkedMessengers {
  telegram: boolean;
  max: boolean;
}

/** Which messenger accounts are linked to the staff account (never the ids themselves). */
export async function linkedMessengers(db: Db, staffId: string): Promise<LinkedMessengers> {
  const me = await db.staffUser.findUniqueOrThrow({ where: { id: staffId }, select: { telegramUserId: true, maxUserId: true } });
  return { telegram: !!me.telegramUserId, max: !!me.maxUserId };
}

export async function setStaffLocale(db: Db, staffId: string, locale: Locale): Promise<void> {
  await db.staffUser.update({ where: { id: staffId }, data: { locale } });
}
