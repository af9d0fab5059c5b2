// Whether calling the family could put them at risk: they told the bot it is unsafe for them now
// («Мне небезопасно»), or asked to be written to rather than called. The web view then shows a
// warning and never offers the phone as a one-tap call.

export type ContactCaution = "unsafe" | "write_only";

export interface ContactSafetyInput {
  /** Request.answers parsed (the dialog writes safeNow: "safe" | "unsafe" | null). */
  answers: Record<string, unknown>;
  /** Request.contactMethod: "call" | "message" | null. */
  contactMethod: string | null;
}

/** The reasons to be careful, most serious first; empty when a call is fine. */
export function contactCautions(r: ContactSafetyInput): ContactCaution[] {
  const out: ContactCaution[] = [];
  if (r.answers.safeNow === "unsafe") out.push("unsafe");
  if (r.contactMethod === "message") out.push("write_only");
  return out;
}
