// «В каком вы регионе?»: typed (a region, a town, a plate code). A town that names one of the
// region's municipalities answers the municipality question too.
import { foldText as foldWords } from "../text-input.ts";
import { regionName, type Run, sosRow } from "../run.ts";
import { always, type StepModule } from "./step-module.ts";

/**
 * The municipality a typed place names word for word (its name or an alias, «в Бердске»,
 * «Сызранский район»): only exact words, so «Новосибирская область» does not name Новосибирск.
 * Null when none or more than one does.
 */
export function municipalityNamedIn(r: Run, regionCode: string, text: string): string | null {
  const typed = ` ${foldWords(text)} `;
  const found = r.ctx.catalog.municipalities.filter(
    (m) =>
      m.regionCode === regionCode &&
      [m.name, ...m.aliases].some((name) => {
        const folded = foldWords(name);
        return folded !== "" && typed.includes(` ${folded} `);
      }),
  );
  return found.length === 1 ? found[0]!.id : null;
}

/** A typed place at the region question (or instead of the offered regions). */
export function onRegionText(r: Run, text: string): void {
  const m = r.ctx.catalog.matcher.matchRegion(text);
  if (m.type === "one") {
    // «Сызрань», «в Бердске»: the municipality is named too, so it is not asked again.
    const municipalityId = municipalityNamedIn(r, m.code, text) ?? undefined;
    r.setAnswers({ regionCode: m.code, regionChoices: [], municipalityId, municipalityChoices: [] });
    r.lead("region-ok", { region: regionName(r, m.code) });
    r.advance();
    return;
  }
  if (m.type === "many") {
    r.setAnswers({ regionChoices: m.codes.slice(0, 8), regionCode: undefined });
    r.advance();
    return;
  }
  r.setAnswers({ regionChoices: [] });
  r.say("region-none");
  r.advance();
}

export const regionStep: StepModule = {
  id: "region",
  slot: {
    step: "region",
    applies: always,
    answered: (s) => s.answers.regionCode !== undefined,
    clear: (a) => ({ ...a, regionCode: undefined, regionChoices: [], municipalityId: undefined, municipalityChoices: [] }),
  },
  view: (r) => ({ parts: [r.t("region-prompt")], options: [sosRow(r)], freeText: true }),
  onText: (r, text) => onRegionText(r, text),
};
