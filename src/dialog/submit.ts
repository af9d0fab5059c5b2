// Sending the request: everything the answers say, as one createRequest effect (routing happens in
// the service against the fresh snapshot); the dialog rests at "done".
import type { Run } from "./run.ts";
import { computeUrgency, deriveFlags, urgencyReasons } from "./urgency.ts";

export function submit(r: Run): void {
  const s = r.s;
  const a = s.answers;
  if (!a.regionCode) {
    // Cannot happen by construction (region is always asked); ask it rather than lose the request.
    r.s = { ...s, step: "region" };
    r.show();
    return;
  }
  const urgency = computeUrgency(s);
  const answers: Record<string, unknown> = {
    dangerNow: a.dangerNow ?? null,
    checks: a.checks,
    safeNow: a.safeNow ?? null,
    familyFlags: a.familyFlags,
    urgentPath: s.urgent,
    locale: s.locale,
  };
  r.effects.push({
    type: "createRequest",
    request: {
      categories: a.categories,
      urgency,
      flags: deriveFlags(s),
      answers,
      regionCode: a.regionCode,
      municipalityId: a.municipalityId ?? null,
      description: a.description ?? null,
      contactName: a.name ?? null,
      contactPhone: a.phone ?? null,
      contactMethod: a.contactMethod ?? (a.phone ? "call" : "message"),
      // Not asked unless edited on the summary, which shows «в любое время».
      contactTime: a.contactTime ?? "any",
      reasons: urgencyReasons(s),
    },
  });
  r.s = { ...s, submitted: true, step: "done" };
  r.replies.push({
    type: "outcome",
    of: "createRequest",
    // No «Начать заново» here (issue 12): a new request only when the family asks (/start).
    options: [[{ label: r.t("opt-status"), token: r.token("status") }], [{ label: r.t("opt-sos"), token: r.token("sos") }]],
  });
}
