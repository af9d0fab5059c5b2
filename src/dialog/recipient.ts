// Who would receive the request now: the routing decision for the answers so far, and what the
// dialog says about that center (its contacts, the consent that names it).
import { GENERIC_RECIPIENT, renderConsentText } from "../privacy/consent-texts.ts";
import { chosenPlacement, routeRequest } from "../routing/engine.ts";
import type { RoutingDecision } from "../routing/types.ts";
import { formatHours } from "./confirmation.ts";
import type { EngineContext } from "./engine-types.ts";
import type { Run } from "./run.ts";
import { type DialogState, FAMILY_FLAGS, type FamilyFlag } from "./state.ts";
import type { FlowCatalog } from "./steps/step-module.ts";
import { computeUrgency, deriveFlags } from "./urgency.ts";

export function routeOf(ctx: EngineContext, s: DialogState): RoutingDecision | null {
  const input = routingInput(s);
  if (!input) return null;
  try {
    return routeRequest(ctx.routing, { ...input, now: ctx.now });
  } catch {
    return null;
  }
}

/** The center and queue the rules choose for these answers, before overflow (no working hours). */
function chosenOf(ctx: EngineContext, s: DialogState): RoutingDecision["chosen"] | null {
  const input = routingInput(s);
  if (!input) return null;
  try {
    return chosenPlacement(ctx.routing, input);
  } catch {
    return null;
  }
}

function routingInput(s: DialogState) {
  const a = s.answers;
  if (!a.regionCode) return null;
  return { regionCode: a.regionCode, municipalityId: a.municipalityId ?? null, categories: a.categories, urgency: computeUrgency(s), flags: deriveFlags(s) };
}

export function routeFor(r: Run): RoutingDecision | null {
  return routeOf(r.ctx, r.s);
}

/** The flow's view of the routing data, for a step that draws itself from it. */
export function recipientCatalog(r: Run): FlowCatalog {
  return flowCatalog(r.ctx);
}

/** The queue the rules choose for these answers (before overflow), or null when unknown. */
function chosenQueue(ctx: EngineContext, s: DialogState, patch: Partial<DialogState["answers"]>): string | null {
  return chosenOf(ctx, { ...s, answers: { ...s.answers, ...patch } })?.queue.key ?? null;
}

/**
 * Issue 12.1: ask only what routing needs. The municipality matters when one of the region's
 * municipalities is routed elsewhere than "other / don't know" for these topics.
 */
function municipalityMatters(ctx: EngineContext, s: DialogState): boolean {
  const code = s.answers.regionCode;
  if (!code) return false;
  const ids = ctx.catalog.municipalities.filter((m) => m.regionCode === code).map((m) => m.id);
  if (ids.length < 2) return false;
  const none = chosenQueue(ctx, s, { municipalityId: null });
  return ids.some((id) => chosenQueue(ctx, s, { municipalityId: id }) !== none);
}

/** The family flags that, said alone, send the request elsewhere than saying none. */
function flagsThatMatter(ctx: EngineContext, s: DialogState): FamilyFlag[] {
  if (!s.answers.regionCode) return [];
  const none = chosenQueue(ctx, s, { familyFlags: [] });
  return FAMILY_FLAGS.filter((f) => chosenQueue(ctx, s, { familyFlags: [f] }) !== none);
}

export function flowCatalog(ctx: EngineContext): FlowCatalog {
  return {
    hasMunicipalities: (code: string) => ctx.catalog.municipalities.some((m) => m.regionCode === code),
    // The center the rules choose; overflow at submission is not a new recipient.
    recipientOf: (s) => chosenOf(ctx, s)?.center.key ?? null,
    municipalityMatters: (s) => municipalityMatters(ctx, s),
    flagsThatMatter: (s) => flagsThatMatter(ctx, s),
  };
}

/** A consent was given for one center, and the request would now go to another. */
export function consentRecipientChanged(s: DialogState, c: FlowCatalog): boolean {
  const a = s.answers;
  if (a.consent !== "given" || a.consentTo === undefined || !c.recipientOf) return false;
  const now = c.recipientOf(s);
  return now !== null && now !== a.consentTo;
}

export function centerInfo(r: Run): string {
  const d = routeFor(r);
  if (!d) return r.t("info-no-center");
  return r.t("info-center", {
    center: d.center.name,
    phone: d.center.publicPhone,
    hours: formatHours((k, args) => r.t(k, args), d.center),
  });
}

/** The served text of this very screen: version, language and the center named in it. */
export function consentUrl(r: Run): string {
  const d = routeFor(r);
  const q = new URLSearchParams({ lang: r.s.locale, ...(d ? { center: d.center.key } : {}) });
  return `${r.ctx.consent.publicBaseUrl.replace(/\/$/, "")}/consent/${encodeURIComponent(r.ctx.consent.version)}?${q}`;
}

/** From the versioned consent texts (src/privacy/consent-texts.ts), the same the /consent page serves. */
export function consentText(r: Run): string {
  const d = routeFor(r);
  return renderConsentText(r.s.locale, {
    operator: r.ctx.consent.operatorName,
    recipient: d?.center.name ?? GENERIC_RECIPIENT[r.s.locale],
    days: r.ctx.consent.retentionDays,
    version: r.ctx.consent.version,
  });
}
