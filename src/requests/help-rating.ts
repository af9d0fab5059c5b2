// "Did this help?" (issue 16): when a request closes, the family is asked once, optionally, with
// five buttons 1–5. The answer is kept only as anonymous statistics: a HelpRating row holds the
// region, the center, the local day of the answer and the number — nothing that leads back to the
// request, the chat or the person. Each closing message gets a one-time token (HelpRatingToken);
// the first press uses it up (the row is deleted), so a rating counts once, and a second, stale or
// forged press finds nothing and changes nothing.
import { randomBytes } from "node:crypto";
import type { Tx } from "../db/client.ts";
import { utcOffsetMinutes } from "./stats-repository.ts";

/** Button data of a rating press: "hr:<token>:<1–5>" (≤ 64 ASCII bytes, as Telegram and MAX allow). */
export const RATING_PREFIX = "hr:";
const PRESS = /^hr:([A-Za-z0-9_-]{22}):([1-5])$/;
/** How long the question can be answered. */
export const RATING_TOKEN_DAYS = 30;

export function isRatingPress(data: string): boolean {
  return data.startsWith(RATING_PREFIX);
}

/** Creates the one-time token of one closing message (in the closing transaction). */
export async function issueRatingToken(tx: Tx, input: { regionCode: string; centerId: string; now: Date }): Promise<string> {
  const token = randomBytes(16).toString("base64url");
  await tx.helpRatingToken.create({
    data: {
      token,
      regionCode: input.regionCode,
      centerId: input.centerId,
      expiresAt: new Date(input.now.getTime() + RATING_TOKEN_DAYS * 86_400_000),
    },
  });
  return token;
}

/** The five buttons (one row) under the question. */
export function ratingButtons(token: string): { label: string; data: string }[] {
  return [1, 2, 3, 4, 5].map((n) => ({ label: String(n), data: `${RATING_PREFIX}${token}:${n}` }));
}

export type RatingPressResult =
  /** The answer was counted. */
  | { type: "counted" }
  /** Already answered, expired, or not a token we issued: nothing changed. */
  | { type: "stale" };

/** Applies one press: counts it if its token is still unused, in the caller's transaction. */
export async function recordRatingPress(tx: Tx, data: string, now: Date): Promise<RatingPressResult> {
  const m = PRESS.exec(data);
  if (!m) return { type: "stale" };
  const [, token, value] = m as unknown as [string, string, string];
  const row = await tx.helpRatingToken.findUnique({ where: { token } });
  if (!row) return { type: "stale" };
  // Conditional delete: of two presses at once, only one finds the row still there.
  const used = await tx.helpRatingToken.deleteMany({ where: { token } });
  if (used.count !== 1 || row.expiresAt.getTime() <= now.getTime()) return { type: "stale" };
  const region = await tx.region.findUnique({ where: { code: row.regionCode }, select: { timezone: true } });
  const offset = region ? utcOffsetMinutes(region.timezone, now) : 0;
  const day = new Date(now.getTime() + offset * 60_000).toISOString().slice(0, 10);
  await tx.helpRating.create({ data: { regionCode: row.regionCode, centerId: row.centerId, day, rating: Number(value) } });
  return { type: "counted" };
}
