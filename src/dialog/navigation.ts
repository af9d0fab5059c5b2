// Moving around the dialog: start (with a deep-link region or center), back, cancel.
import { goBack, isTerminal } from "./flow.ts";
import { flowCatalog } from "./recipient.ts";
import type { Run } from "./run.ts";
import { initialState } from "./state.ts";

/** /start (or «Начать заново»): a new dialog; a deep-link payload presets the region. */
export function restart(r: Run, payload: string | undefined): void {
  const s = initialState(r.s.locale, r.s.seq);
  r.s = { ...s, greeted: true };
  const preset = presetFromPayload(r, payload);
  if (preset) r.s = { ...r.s, answers: { ...r.s.answers, ...preset } };
  r.say("greeting");
  r.advance();
}

function presetFromPayload(r: Run, payload: string | undefined): { regionCode: string; municipalityId?: string | null } | null {
  if (!payload) return null;
  const p = payload.trim();
  if (/^\d{2}$/.test(p) && r.ctx.catalog.regions.some((x) => x.code === p)) return { regionCode: p };
  if (p.startsWith("c-")) {
    const center = r.ctx.routing.centers.find((c) => c.key === p.slice(2) && c.active);
    if (center?.regionCode) {
      return center.municipalityId ? { regionCode: center.regionCode, municipalityId: center.municipalityId } : { regionCode: center.regionCode };
    }
  }
  return null;
}

/** /back, «назад»: closes a modal, or asks the last answered question again. */
export function onBack(r: Run): void {
  if (r.s.modal) {
    r.s = { ...r.s, modal: undefined };
    r.show();
    return;
  }
  const res = goBack(r.s, flowCatalog(r.ctx));
  if (res.type === "nowhere") {
    r.say("back-nowhere");
    r.show();
    return;
  }
  r.s = res.state;
  r.advance();
}

/** /cancel, «отмена»: forgets everything typed so far (nothing was sent). */
export function onCancel(r: Run): void {
  if (r.s.modal) {
    r.s = { ...r.s, modal: undefined };
    r.show();
    return;
  }
  if (isTerminal(r.s.step)) {
    r.show();
    return;
  }
  r.s = { ...initialState(r.s.locale, r.s.seq), greeted: true, cancelled: true, step: "cancelled" };
  r.say("cancelled");
  r.show();
}
