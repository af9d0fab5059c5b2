// «Расскажите, что случилось» (after consent): free text up to the configured length, or skip.
import { foldText } from "../category-suggest.ts";
import { sosRow } from "../run.ts";
import { cleanText } from "../text-input.ts";
import { always, type StepModule } from "./step-module.ts";

export const descriptionStep: StepModule = {
  id: "description",
  slot: {
    step: "description",
    applies: always,
    answered: (s) => s.answers.description !== undefined,
    clear: (a) => ({ ...a, description: undefined }),
  },
  view: (r) => ({
    parts: [r.t("description-prompt", { max: r.ctx.descriptionMaxLength })],
    options: [[{ id: "skip", label: r.t("opt-skip") }], sosRow(r)],
    freeText: true,
  }),
  onOption(r, id) {
    if (id !== "skip") return false;
    r.setAnswers({ description: null });
    r.advance();
    return true;
  },
  readText(r, raw, helpAsked) {
    // The text is kept as the description; the numbers come first in case it is urgent.
    if (helpAsked) r.say("sos-note", { numbers: r.numbers() });
    const c = cleanText(raw, r.ctx.descriptionMaxLength);
    if (c.type === "empty") {
      r.say("bad-empty");
      r.show();
      return;
    }
    if (c.type === "emoji_only") {
      r.say("bad-emoji");
      r.show();
      return;
    }
    if (foldText(c.text) === foldText(r.t("opt-skip"))) {
      r.setAnswers({ description: null });
      r.advance();
      return;
    }
    r.setAnswers({ description: c.text });
    if (c.truncated) r.say("text-truncated", { max: r.ctx.descriptionMaxLength });
    r.advance();
  },
};
