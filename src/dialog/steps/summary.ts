// The summary before sending: every answer, «Отправить», and an edit button per part.
import { categoryLabel, municipalityName, regionName, type Run, sosRow } from "../run.ts";
import type { StepId } from "../state.ts";
import { submit } from "../submit.ts";
import { always, never, type StepModule } from "./step-module.ts";

/** The steps each edit button asks again. */
const EDITS: Record<string, StepId[]> = {
  categories: ["categories"],
  region: ["region"],
  description: ["description"],
  name: ["name"],
  phone: ["phone"],
  contact: ["contact_method", "contact_time"],
};

function summaryText(r: Run): string {
  const a = r.s.answers;
  const lines = [r.t("summary-title")];
  lines.push(r.t("summary-categories", { list: a.categories.map((c) => categoryLabel(r, c)).join(", ") }));
  const place = a.municipalityId !== undefined && a.municipalityId !== null ? `${regionName(r, a.regionCode)}, ${municipalityName(r, a.municipalityId)}` : regionName(r, a.regionCode);
  lines.push(r.t("summary-region", { region: place }));
  lines.push(r.t("summary-description", { text: a.description ?? r.t("summary-empty") }));
  lines.push(r.t("summary-name", { name: a.name ?? r.t("summary-empty") }));
  lines.push(r.t("summary-phone", { phone: a.phone ?? r.t("summary-no-phone") }));
  lines.push(
    r.t("summary-contact", {
      method: r.t(`opt-method-${a.contactMethod ?? "call"}`),
      time: r.t(`opt-time-${a.contactTime ?? "any"}`),
    }),
  );
  lines.push(r.t("summary-check"));
  return lines.join("\n");
}

export const summaryStep: StepModule = {
  id: "summary",
  slot: { step: "summary", applies: always, answered: never, clear: (a) => a },
  view: (r) => ({
    parts: [summaryText(r)],
    options: [
      [{ id: "submit", label: r.t("opt-submit"), words: [...r.words("words-yes"), ...r.words("words-done")] }],
      [{ id: "e:categories", label: r.t("opt-edit-categories") }, { id: "e:region", label: r.t("opt-edit-region") }],
      [{ id: "e:description", label: r.t("opt-edit-description") }, { id: "e:name", label: r.t("opt-edit-name") }],
      [{ id: "e:phone", label: r.t("opt-edit-phone") }, { id: "e:contact", label: r.t("opt-edit-contact") }],
      sosRow(r),
    ],
    freeText: false,
  }),
  onOption(r, id) {
    if (id === "submit") {
      submit(r);
      return true;
    }
    const list = id.startsWith("e:") ? EDITS[id.slice(2)] : undefined;
    if (!list) return false;
    for (const st of list) r.s = r.flow.clearStep(r.s, st);
    r.advance();
    return true;
  },
};
