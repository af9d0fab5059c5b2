// «Правильно ли я поняла?»: the topics guessed from what the person wrote, to confirm or adjust.
import { categoryLabel, sosRow } from "../run.ts";
import { categoriesChosen } from "./categories.ts";
import { never, type StepModule } from "./step-module.ts";

export const categoryConfirmStep: StepModule = {
  id: "category_confirm",
  slot: {
    step: "category_confirm",
    applies: (s) => s.answers.suggested.length > 0 && !s.answers.categoriesDone,
    answered: never,
    clear: (a) => ({ ...a, suggested: [] }),
  },
  view(r) {
    const a = r.s.answers;
    return {
      parts: [r.t("cat-confirm", { list: a.suggested.map((c) => `• ${categoryLabel(r, c)}`).join("\n"), count: a.suggested.length })],
      options: [[{ id: "yes", label: r.t("opt-cat-confirm-yes"), words: r.words("words-yes") }], [{ id: "list", label: r.t("opt-cat-confirm-list"), words: r.words("words-no") }], sosRow(r)],
      freeText: false,
    };
  },
  onOption(r, id) {
    const a = r.s.answers;
    if (id === "yes") {
      categoriesChosen(r, a.suggested);
      return true;
    }
    if (id === "list") {
      r.setAnswers({ categories: a.suggested, suggested: [], categoryPage: 0 });
      r.advance();
      return true;
    }
    return false;
  },
};
