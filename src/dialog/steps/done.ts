// The request was sent: the dialog rests here. What the family writes joins the request's transcript
// (the engine records it), so a message gets a short acknowledgement — no «начните заново» and no
// buttons; a new request only when they ask (/start, or the button of the resting screen).
import type { Run } from "../run.ts";
import { sosRow } from "../run.ts";
import type { StepModule } from "./step-module.ts";

const numberOf = (r: Run) => r.s.requestNumber ?? "—";

/** A message (or an edit) after the request: it went to the specialist with the transcript. */
export function acknowledgeAfterRequest(r: Run): void {
  r.say("done-message-sent", { number: numberOf(r) });
}

export const doneStep: StepModule = {
  id: "done",
  view: (r) => ({
    parts: [r.t("done-waiting", { number: numberOf(r) })],
    // The same buttons as under the confirmation (no «Начать заново»: /start when they ask); a reply
    // to the specialist gets none (readText below).
    options: [[{ id: "status", label: r.t("opt-status") }], sosRow(r)],
    // A number typed here is a message for the specialist, not an option number.
    freeText: true,
  }),
  // Any text, an emoji or a number included, is a message for the specialist.
  readText(r, _raw, helpAsked) {
    if (helpAsked) r.say("sos-note", { numbers: r.numbers() });
    acknowledgeAfterRequest(r);
  },
};
