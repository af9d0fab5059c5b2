// Resume after silence: a dialog untouched for more than a day first asks whether to continue or
// start over (the person may not remember where they were, or someone else may have the phone).
import { parseToken } from "./tokens.ts";
import { isTerminal } from "./flow.ts";
import type { Run } from "./run.ts";
import type { InboundEvent } from "./service-types.ts";

export const RESUME_AFTER_MS = 24 * 60 * 60 * 1000;

/** True when the event was answered with the offer to continue (🆘 always goes through). */
export function offerResume(r: Run, event: InboundEvent, fresh: boolean): boolean {
  const last = r.s.lastActivityAt ? Date.parse(r.s.lastActivityAt) : Number.NaN;
  if (fresh || !r.s.greeted || isTerminal(r.s.step) || r.s.modal || !(r.ctx.now.getTime() - last > RESUME_AFTER_MS)) return false;
  if (event.type === "option" && parseToken(event.token)?.id === "sos") return false;
  r.s = { ...r.s, modal: { kind: "resume" } };
  r.show();
  return true;
}
