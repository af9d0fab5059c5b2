// «Как к вам обращаться?»: a name, or skip. A story is not a name. Asked as its own question only when
// the family edits it from the summary (issue 12.1: the description prompt invites a name).
import { foldText } from "../category-suggest.ts";
import { onSos } from "../emergency.ts";
import { NAME_MAX, sosRow } from "../run.ts";
import { cleanText } from "../text-input.ts";
import type { StepModule } from "./step-module.ts";

export const nameStep: StepModule = {
  id: "name",
  slot: {
    step: "name",
    applies: (s) => s.answers.askName,
    answered: (s) => s.answers.name !== undefined,
    clear: (a) => ({ ...a, name: undefined, askName: true }),
  },
  view: (r) => ({ parts: [r.t("name-prompt")], options: [[{ id: "skip", label: r.t("opt-name-skip") }], sosRow(r)], freeText: true }),
  onOption(r, id) {
    if (id !== "skip") return false;
    r.setAnswers({ name: null });
    r.advance();
    return true;
  },
  readText(r, raw, helpAsked) {
    // A name does not ask for help: the numbers, and the same question again.
    if (helpAsked) return onSos(r);
    const c = cleanText(raw, NAME_MAX);
    if (c.type !== "ok") {
      r.say(c.type === "empty" ? "bad-empty" : "bad-emoji");
      r.show();
      return;
    }
    if (c.truncated) {
      // A story is not a name: ask again rather than keep a cut-off text as the name.
      r.say("name-too-long");
      r.show();
      return;
    }
    if (foldText(c.text) === foldText(r.t("opt-name-skip"))) {
      r.setAnswers({ name: null });
      r.advance();
      return;
    }
    r.setAnswers({ name: c.text });
    r.advance();
  },
};
