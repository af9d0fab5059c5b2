// «Что сейчас происходит?»: a topic press answers at once (issue 12.1: the usual case is one topic);
// «Несколько тем» turns the same message, edited in place, into ticks and «Готово». Asked again
// with topics already chosen (edit from the summary, «Выбрать из списка») it shows the ticks.
import { type Category, CATEGORIES } from "../../domain/taxonomy.ts";
import { suggestCategories } from "../category-suggest.ts";
import { onSos } from "../emergency.ts";
import { categoryLabel, type OptDef, type Run, sosRow } from "../run.ts";
import { isInformationOnly } from "../urgency.ts";
import { always, type StepModule } from "./step-module.ts";

/** Categories shown per page of the category question (Telegram and MAX render rows of buttons). */
export const CATEGORY_PAGE_SIZE = 7;
export const CATEGORY_PAGES = Math.ceil(CATEGORIES.length / CATEGORY_PAGE_SIZE);

/** The topics are settled (ticked and «Готово», or a suggestion confirmed). */
export function categoriesChosen(r: Run, categories: Category[]): void {
  r.setAnswers({ categories, categoriesDone: true, suggested: [], categoryPage: 0, categoryMulti: false });
  if (categories.some((c) => c === "suicide_crisis" || c === "child_danger")) r.say("cat-p0-notice", { numbers: r.numbers() });
  if (isInformationOnly(r.s)) r.lead("cat-info-only");
  r.advance();
}

/** Ticks and «Готово»: after «Несколько тем», or when topics are already chosen and asked again. */
function isMulti(r: Run): boolean {
  return r.s.answers.categoryMulti || r.s.answers.categories.length > 0;
}

export const categoriesStep: StepModule = {
  id: "categories",
  slot: {
    step: "categories",
    applies: always,
    answered: (s) => s.answers.categoriesDone,
    clear: (a) => ({ ...a, categoriesDone: false, suggested: [], categoryPage: 0 }),
  },
  view(r) {
    const a = r.s.answers;
    const multi = isMulti(r);
    const page = Math.min(a.categoryPage, CATEGORY_PAGES - 1);
    const cats = CATEGORIES.slice(page * CATEGORY_PAGE_SIZE, (page + 1) * CATEGORY_PAGE_SIZE);
    const rows: OptDef[][] = cats.map((c) => [{ id: `c:${c}`, label: (a.categories.includes(c) ? "✓ " : "") + categoryLabel(r, c) }]);
    const nav: OptDef[] = [];
    if (page > 0) nav.push({ id: "less", label: r.t("opt-page-back") });
    if (page < CATEGORY_PAGES - 1) nav.push({ id: "more", label: r.t("opt-page-more") });
    if (nav.length) rows.push(nav);
    if (multi) rows.push([{ id: "done", label: r.t("opt-done", { count: a.categories.length }), words: r.words("words-done") }]);
    else rows.push([{ id: "multi", label: r.t("opt-cat-multi") }]);
    rows.push(sosRow(r));
    const prompt = multi ? "cat-prompt-multi" : "cat-prompt";
    return { parts: [r.t(prompt, { page: page + 1, pages: CATEGORY_PAGES })], options: rows, freeText: false };
  },
  onOption(r, id) {
    const a = r.s.answers;
    if (id.startsWith("c:")) {
      const c = id.slice(2) as Category;
      if (!CATEGORIES.includes(c)) return false;
      // One topic, the usual case: the press is the answer.
      if (!isMulti(r)) {
        categoriesChosen(r, [c]);
        return true;
      }
      const set = new Set(a.categories);
      if (set.has(c)) set.delete(c);
      else set.add(c);
      r.setAnswers({ categories: CATEGORIES.filter((x) => set.has(x)) });
      r.show();
      return true;
    }
    if (id === "multi") {
      r.setAnswers({ categoryMulti: true });
      r.show();
      return true;
    }
    if (id === "more" || id === "less") {
      const page = Math.max(0, Math.min(CATEGORY_PAGES - 1, a.categoryPage + (id === "more" ? 1 : -1)));
      r.setAnswers({ categoryPage: page });
      r.show();
      return true;
    }
    if (id === "done") {
      if (a.categories.length === 0) {
        r.say("cat-need-one");
        r.show();
        return true;
      }
      categoriesChosen(r, a.categories);
      return true;
    }
    return false;
  },
  onText(r, text, _raw, helpAsked) {
    const suggested = suggestCategories(text);
    if (suggested.length > 0) {
      r.setAnswers({ suggested });
      r.advance();
      return;
    }
    if (helpAsked) return onSos(r);
    r.say("cat-not-understood");
    r.show();
  },
};
