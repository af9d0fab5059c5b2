// The request was sent: the dialog rests here; what the family writes joins the request's transcript.
import { restartRow, sosRow } from "../run.ts";
import type { StepModule } from "./step-module.ts";

export const doneStep: StepModule = {
  id: "done",
  view: (r) => ({
    parts: [r.t("done-idle", { number: r.s.requestNumber ?? "—" })],
    options: [[{ id: "status", label: r.t("opt-status") }], restartRow(r), sosRow(r)],
    freeText: false,
  }),
  onText(r) {
    r.say("done-message-noted");
    r.show();
  },
};
