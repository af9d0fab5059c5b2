// Canned replies: a center's ready answers an operator picks in the message box. Placeholders are
// filled when the request page is shown: {center} — the center's name, {operator} — the
// operator's first name. Pure: no framework.
import { z } from "zod";

export const CANNED_TITLE_MAX = 80;
export const CANNED_TEXT_MAX = 1000;

const noMarkup = (v: string) => !/[<>]/.test(v);

/** The admin form; messages are locale keys shown next to the field. */
export const cannedReplyForm = z.object({
  title: z
    .string({ error: "web-err-required" })
    .trim()
    .min(1, "web-err-required")
    .max(CANNED_TITLE_MAX, "web-err-too-long")
    .refine(noMarkup, "web-err-canned-markup"),
  text: z
    .string({ error: "web-err-required" })
    .trim()
    .min(1, "web-err-required")
    .max(CANNED_TEXT_MAX, "web-err-too-long")
    .refine(noMarkup, "web-err-canned-markup"),
});
export type CannedReplyInput = z.infer<typeof cannedReplyForm>;

/** The reply with its placeholders filled; unknown {words} are left as typed. */
export function fillCannedReply(text: string, values: { center: string; operator: string }): string {
  return text.replace(/\{(center|operator|центр|оператор)\}/g, (_m, key: string) =>
    key === "center" || key === "центр" ? values.center : values.operator,
  );
}

/** "Мария Ивановна Петрова" → "Мария": what a family calls the operator. */
export function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? "";
}
