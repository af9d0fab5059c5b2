// Information only (no request), or consent declined: the center's contacts and the numbers.
import { centerInfo } from "../recipient.ts";
import { restartRow, sosRow } from "../run.ts";
import type { StepModule } from "./step-module.ts";

export const infoStep: StepModule = {
  id: "info",
  view(r) {
    const declined = r.s.answers.consent === "declined";
    // Two messages, each within a phone screen (issue 12): where to turn instead, and the numbers.
    return {
      parts: [[r.t(declined ? "consent-declined" : "info-only"), centerInfo(r)].join("\n"), r.t("info-numbers", { numbers: r.numbers() })],
      options: [
        declined ? [{ id: "reconsider", label: r.t("opt-reconsider") }] : [{ id: "topics", label: r.t("opt-other-topic") }],
        restartRow(r),
        sosRow(r),
      ],
      freeText: false,
    };
  },
  onOption(r, id) {
    if (id === "reconsider") {
      r.setAnswers({ consent: undefined });
      r.advance();
      return true;
    }
    if (id === "topics") {
      r.setAnswers({ categories: [], categoriesDone: false, categoryPage: 0, categoryMulti: false });
      r.advance();
      return true;
    }
    return false;
  },
};
