// Family flags (child under 4, disability, pregnancy…): asked only where they change where the
// request goes (issue 12.1: the region's rules use them), after the place is known. One flag that
// matters is a yes/no question; several are ticks in one message edited in place.
import { recipientCatalog } from "../recipient.ts";
import { type OptDef, type Run, sosRow } from "../run.ts";
import { FAMILY_FLAGS, type FamilyFlag } from "../state.ts";
import { isInformationOnly } from "../urgency.ts";
import type { StepModule } from "./step-module.ts";

const flagKey = (f: FamilyFlag) => f.replaceAll("_", "-");

function flagsAsked(r: Run): FamilyFlag[] {
  return recipientCatalog(r).flagsThatMatter?.(r.s) ?? [...FAMILY_FLAGS];
}

export const familyFlagsStep: StepModule = {
  id: "family_flags",
  slot: {
    step: "family_flags",
    applies: (s, c) => !isInformationOnly(s) && (c.flagsThatMatter ? c.flagsThatMatter(s).length > 0 : true),
    answered: (s) => s.answers.familyFlagsDone,
    clear: (a) => ({ ...a, familyFlagsDone: false }),
  },
  view(r) {
    const a = r.s.answers;
    const asked = flagsAsked(r);
    const none: OptDef = { id: "none", label: r.t("opt-flags-none"), words: [...r.words("words-no"), ...r.words("words-flags-none")] };
    if (asked.length === 1) {
      const f = asked[0]!;
      return {
        parts: [r.t(`flag-ask-${flagKey(f)}`)],
        options: [[{ id: `y:${f}`, label: r.t("opt-yes"), words: r.words("words-yes") }, { ...none, label: r.t("opt-no") }], sosRow(r)],
        freeText: false,
      };
    }
    const rows: OptDef[][] = asked.map((f) => [{ id: `f:${f}`, label: (a.familyFlags.includes(f) ? "✓ " : "") + r.t(`flag-${flagKey(f)}`) }]);
    rows.push([none]);
    rows.push([{ id: "done", label: r.t("opt-done", { count: a.familyFlags.length }), words: r.words("words-done") }]);
    rows.push(sosRow(r));
    return { parts: [r.t("flags-prompt")], options: rows, freeText: false };
  },
  onOption(r, id) {
    const a = r.s.answers;
    if (id.startsWith("y:")) {
      const f = id.slice(2) as FamilyFlag;
      if (!FAMILY_FLAGS.includes(f)) return false;
      r.setAnswers({ familyFlags: FAMILY_FLAGS.filter((x) => x === f || a.familyFlags.includes(x)), familyFlagsDone: true });
      r.advance();
      return true;
    }
    if (id.startsWith("f:")) {
      const f = id.slice(2) as FamilyFlag;
      if (!FAMILY_FLAGS.includes(f)) return false;
      const set = new Set(a.familyFlags);
      if (set.has(f)) set.delete(f);
      else set.add(f);
      r.setAnswers({ familyFlags: FAMILY_FLAGS.filter((x) => set.has(x)) });
      r.show();
      return true;
    }
    if (id === "none") {
      r.setAnswers({ familyFlags: [], familyFlagsDone: true });
      r.advance();
      return true;
    }
    if (id === "done") {
      r.setAnswers({ familyFlagsDone: true });
      r.advance();
      return true;
    }
    return false;
  },
};
