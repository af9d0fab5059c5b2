// The pure dialog engine: (state, event, ctx) → (state, replies, effects). No grammY, MAX, Prisma or
// Fastify here; the service loads the context, applies the effects in one transaction and saves
// the state. Every text comes from locales/*/dialog.ftl through ctx.i18n.
import { createHash } from "node:crypto";
import { GENERIC_RECIPIENT, renderConsentText } from "../privacy/consent-texts.ts";
import { type Category, CATEGORIES, type Flag, type Urgency } from "../domain/taxonomy.ts";
import type { I18n, Locale, TranslateArgs } from "../i18n/i18n.ts";
import { routeRequest } from "../routing/engine.ts";
import { contactPromise, type LocalMoment } from "../routing/promise.ts";
import type { RoutingCenter, RoutingDecision, RoutingSnapshot, WeeklyHours } from "../routing/types.ts";
import {
  CATEGORY_PAGE_SIZE,
  CATEGORY_PAGES,
  checkOfStep,
  clearStep,
  computeUrgency,
  consentRecipientChanged,
  deriveFlags,
  type FlowCatalog,
  foldText,
  goBack,
  isInformationOnly,
  isTerminal,
  resolveStep,
  suggestCategories,
  urgencyReasons,
} from "./flow.ts";
import { normalisePhone } from "./phone.ts";
import { screenRedFlags } from "./red-flags.ts";
import type { ReplyOption, InboundEvent, Reply } from "./service-types.ts";
import { type DialogState, FAMILY_FLAGS, type FamilyFlag, initialState, type StepId } from "./state.ts";
import { callForHelp, cleanText, foldText as foldWords, matchOptionByText, saysMinor, typedAge } from "./text-input.ts";
import type { UrgencyReason } from "./urgency-reasons.ts";

// ── Context, effects, replies ────────────────────────────────────────────────

export interface CatalogRegion {
  code: string;
  name: string;
}
export interface CatalogMunicipality {
  id: string;
  regionCode: string;
  key: string;
  name: string;
  aliases: string[];
}
export interface RegionMatcher {
  matchRegion(input: string): { type: "one"; code: string } | { type: "many"; codes: string[] } | { type: "none" };
  matchMunicipality(regionCode: string, input: string): { type: "one"; id: string } | { type: "many"; ids: string[] } | { type: "none" };
}
export interface DialogCatalog {
  regions: CatalogRegion[];
  municipalities: CatalogMunicipality[];
  matcher: RegionMatcher;
}

export interface EngineContext {
  now: Date;
  i18n: Pick<I18n, "t">;
  /** Locale hint of the messenger, used when a conversation starts. */
  localeHint?: Locale;
  catalog: DialogCatalog;
  routing: RoutingSnapshot;
  consent: { version: string; publicBaseUrl: string; operatorName: string; retentionDays: number };
  descriptionMaxLength: number;
}

/** The consent as shown, with everything the ConsentRecord must prove (design.md §4). */
export interface ConsentDraft {
  decision: "given";
  textVersion: string;
  textHash: string;
  operatorName: string;
  purposes: string[];
  dataList: string[];
  recipients: string[];
  term: string;
  withdrawalMethod: string;
}

/** Everything the request needs; routing happens in the service against the fresh snapshot. */
export interface RequestDraft {
  categories: Category[];
  urgency: Urgency;
  flags: Flag[];
  /** Triage answers without personal data. */
  answers: Record<string, unknown>;
  regionCode: string;
  municipalityId: string | null;
  description: string | null;
  contactName: string | null;
  contactPhone: string | null;
  contactMethod: "call" | "message";
  contactTime: "morning" | "day" | "evening" | "any" | null;
  /** Why the request has its urgency, each with its source (stored as Request.urgencyReasons). */
  reasons?: UrgencyReason[];
}

export type Effect =
  | { type: "recordConsent"; consent: ConsentDraft }
  | { type: "createRequest"; request: RequestDraft }
  /** /revoke confirmed: withdraw consent, erase personal data of this person's requests. */
  | { type: "eraseMyData" }
  | { type: "showStatus" }
  /** An inbound text of a conversation that has consented, kept in the transcript. */
  | { type: "recordInbound"; text: string }
  /**
   * A red flag in the family's messages after the request was sent: raise the open request to the
   * reasons' level (P0: and alert the center) and record the reasons.
   */
  | {
      type: "escalateRequest";
      level: "P0" | "P1";
      reasons: UrgencyReason[];
      /** The family started a new dialog: raise an earlier open request only if there is one, silently. */
      ifOpen?: boolean;
    };

/** Replies whose text only the service can write (it depends on rows it creates or reads). */
export type OutcomeReply = {
  type: "outcome";
  of: "createRequest" | "showStatus" | "eraseMyData" | "escalateRequest";
  options?: ReplyOption[][];
};
export type EngineReply = Reply | OutcomeReply;

export interface StepResult {
  state: DialogState;
  replies: EngineReply[];
  effects: Effect[];
}

export const RESUME_AFTER_MS = 24 * 60 * 60 * 1000;
const NAME_MAX = 100;
const SHORT_TEXT_MAX = 300;
const TRANSCRIPT_MAX = 4000;
/** The all-Russian children's helpline (8-800-2000-122), whose site offers writing instead of calling. */
const TEEN_CHAT_URL = "https://telefon-doveria.ru/";

// ── Views ────────────────────────────────────────────────────────────────────

interface OptDef {
  id: string;
  label: string;
  /** Other words that clearly mean this option when typed. */
  words?: string[];
}

interface View {
  parts: string[];
  options: OptDef[][];
  link?: { label: string; url: string };
  contact?: { shareLabel: string };
  /** The step takes free text itself, digits included (a plate code, a phone): digits are not option numbers. */
  freeText: boolean;
}

class Run {
  replies: EngineReply[] = [];
  effects: Effect[] = [];
  constructor(
    public s: DialogState,
    readonly ctx: EngineContext,
  ) {}
  t(key: string, args?: TranslateArgs): string {
    return this.ctx.i18n.t(this.s.locale, key, args);
  }
  words(key: string): string[] {
    return this.t(key)
      .split(",")
      .map((w) => w.trim())
      .filter(Boolean);
  }
  say(key: string, args?: TranslateArgs): void {
    this.replies.push({ type: "text", text: this.t(key, args) });
  }
  numbers(): string {
    return this.t("emergency-numbers");
  }
  token(id: string): string {
    return `${this.s.seq}.${id}`;
  }
  /** Whether the current show() is the step's first showing (the consent screen in full) or a re-ask. */
  full = false;
  /** Appends the current step (or open modal) as replies; a re-ask of consent is its short form. */
  show(opts?: { full?: boolean }): void {
    this.full = opts?.full === true;
    const v = viewOf(this);
    const rows = v.options.map((row) => row.map((o) => ({ label: o.label, token: this.token(o.id) })));
    v.parts.forEach((text, i) => {
      const last = i === v.parts.length - 1;
      if (!last) {
        this.replies.push({ type: "text", text });
        return;
      }
      if (v.contact) {
        this.replies.push({ type: "requestContact", text, shareLabel: v.contact.shareLabel, ...(rows.length ? { options: rows } : {}) });
      } else {
        this.replies.push({ type: "text", text, ...(rows.length ? { options: rows } : {}), ...(v.link ? { link: v.link } : {}) });
      }
    });
  }
}

const yesNo = (r: Run): OptDef[][] => [
  [
    { id: "yes", label: r.t("opt-yes"), words: r.words("words-yes") },
    { id: "no", label: r.t("opt-no"), words: r.words("words-no") },
  ],
];
const sosRow = (r: Run): OptDef[] => [{ id: "sos", label: r.t("opt-sos"), words: r.words("words-sos") }];

function categoryLabel(r: Run, c: Category): string {
  return r.t(`cat-${c.replaceAll("_", "-")}`);
}

function regionName(r: Run, code: string | undefined): string {
  return r.ctx.catalog.regions.find((x) => x.code === code)?.name ?? code ?? "";
}

function municipalityName(r: Run, id: string | null | undefined): string {
  if (id === null) return r.t("muni-other-label");
  return r.ctx.catalog.municipalities.find((m) => m.id === id)?.name ?? "";
}

function viewOf(r: Run): View {
  const s = r.s;
  const a = s.answers;
  if (s.modal) {
    switch (s.modal.kind) {
      case "revoke":
        return {
          parts: [r.t("revoke-confirm")],
          options: [[{ id: "revoke_yes", label: r.t("opt-revoke-yes") }], [{ id: "revoke_no", label: r.t("opt-revoke-no"), words: r.words("words-no") }], sosRow(r)],
          freeText: false,
        };
      case "lang":
        return {
          parts: [r.t("lang-prompt")],
          options: [[{ id: "lang_ru", label: "Русский", words: ["ru", "рус"] }, { id: "lang_en", label: "English", words: ["en", "eng", "англ"] }], sosRow(r)],
          freeText: false,
        };
      case "resume":
        return {
          parts: [r.t("resume-prompt")],
          options: [[{ id: "continue", label: r.t("opt-continue") }], [{ id: "restart", label: r.t("opt-restart") }], sosRow(r)],
          freeText: false,
        };
    }
  }
  const step = s.step;
  const check = checkOfStep(step);
  if (check) return { parts: [r.t(check.key)], options: [...yesNo(r), sosRow(r)], freeText: false };
  switch (step) {
    case "categories": {
      const page = Math.min(a.categoryPage, CATEGORY_PAGES - 1);
      const cats = CATEGORIES.slice(page * CATEGORY_PAGE_SIZE, (page + 1) * CATEGORY_PAGE_SIZE);
      const rows: OptDef[][] = cats.map((c) => [{ id: `c:${c}`, label: (a.categories.includes(c) ? "✓ " : "") + categoryLabel(r, c) }]);
      const nav: OptDef[] = [];
      if (page > 0) nav.push({ id: "less", label: r.t("opt-page-back") });
      if (page < CATEGORY_PAGES - 1) nav.push({ id: "more", label: r.t("opt-page-more") });
      if (nav.length) rows.push(nav);
      rows.push([{ id: "done", label: r.t("opt-done", { count: a.categories.length }), words: r.words("words-done") }]);
      rows.push(sosRow(r));
      return { parts: [r.t("cat-prompt", { page: page + 1, pages: CATEGORY_PAGES })], options: rows, freeText: false };
    }
    case "category_confirm":
      return {
        parts: [r.t("cat-confirm", { list: a.suggested.map((c) => `• ${categoryLabel(r, c)}`).join("\n"), count: a.suggested.length })],
        options: [[{ id: "yes", label: r.t("opt-cat-confirm-yes"), words: r.words("words-yes") }], [{ id: "list", label: r.t("opt-cat-confirm-list"), words: r.words("words-no") }], sosRow(r)],
        freeText: false,
      };
    case "danger_now":
      return { parts: [r.t("danger-now")], options: [...yesNo(r), sosRow(r)], freeText: false };
    case "age":
      return {
        parts: [r.t("age-prompt")],
        options: [[{ id: "adult", label: r.t("opt-age-adult"), words: r.words("words-yes") }], [{ id: "minor", label: r.t("opt-age-minor"), words: r.words("words-no") }], sosRow(r)],
        freeText: false,
      };
    case "family_flags": {
      const rows: OptDef[][] = FAMILY_FLAGS.map((f) => [{ id: `f:${f}`, label: (a.familyFlags.includes(f) ? "✓ " : "") + r.t(`flag-${f.replaceAll("_", "-")}`) }]);
      rows.push([{ id: "none", label: r.t("opt-flags-none"), words: r.words("words-no") }]);
      rows.push([{ id: "done", label: r.t("opt-done", { count: a.familyFlags.length }), words: r.words("words-done") }]);
      rows.push(sosRow(r));
      return { parts: [r.t("flags-prompt")], options: rows, freeText: false };
    }
    case "p0_safe":
      return {
        parts: [r.t("p0-safe-prompt")],
        options: [
          [{ id: "safe", label: r.t("opt-p0-safe") }],
          [{ id: "unsafe", label: r.t("opt-p0-unsafe") }],
          [{ id: "minor", label: r.t("opt-age-minor") }],
          [{ id: "nodanger", label: r.t("opt-p0-nodanger") }],
          sosRow(r),
        ],
        freeText: false,
      };
    case "region":
      return { parts: [r.t("region-prompt")], options: [sosRow(r)], freeText: true };
    case "region_choose":
      return {
        parts: [r.t("region-choose")],
        options: [...a.regionChoices.map((code) => [{ id: `r:${code}`, label: regionName(r, code) }]), [{ id: "other", label: r.t("opt-region-retry") }], sosRow(r)],
        freeText: false,
      };
    case "municipality": {
      const all = r.ctx.catalog.municipalities.filter((m) => m.regionCode === a.regionCode);
      const shown = a.municipalityChoices.length > 0 ? all.filter((m) => a.municipalityChoices.includes(m.id)) : all.length <= 10 ? all : [];
      return {
        parts: [r.t(shown.length > 0 ? "muni-prompt" : "muni-prompt-typed", { region: regionName(r, a.regionCode) })],
        options: [...shown.map((m) => [{ id: `m:${m.id}`, label: m.name }]), [{ id: "other", label: r.t("muni-other-label"), words: r.words("words-dont-know") }], sosRow(r)],
        freeText: false,
      };
    }
    case "description":
      return {
        parts: [r.t("description-prompt", { max: r.ctx.descriptionMaxLength })],
        options: [[{ id: "skip", label: r.t("opt-skip") }], sosRow(r)],
        freeText: true,
      };
    case "consent": {
      // Its own screen: two consent buttons and the link to the full text (design.md §4), plus 🆘:
      // an emergency is never gated, not even by the consent question. Asked again (after a word
      // that was not an answer) it is a short question: the full text stays one tap away.
      const center = routeFor(r)?.center.name ?? GENERIC_RECIPIENT[r.s.locale];
      const again = consentRecipientChanged(r.s, flowCatalog(r));
      const parts = again ? [r.t("consent-again", { center })] : [];
      parts.push(r.full ? consentText(r) : r.t("consent-short", { center }));
      return {
        parts,
        options: [[{ id: "give", label: r.t("opt-consent-give") }], [{ id: "decline", label: r.t("opt-consent-decline") }], sosRow(r)],
        link: { label: r.t("consent-link"), url: consentUrl(r) },
        freeText: false,
      };
    }
    case "name":
      return { parts: [r.t("name-prompt")], options: [[{ id: "skip", label: r.t("opt-name-skip") }], sosRow(r)], freeText: true };
    case "phone":
      return {
        parts: [r.t("phone-prompt")],
        options: [[{ id: "nophone", label: r.t("opt-no-phone") }], sosRow(r)],
        contact: { shareLabel: r.t("phone-share") },
        freeText: true,
      };
    case "phone_confirm":
      return {
        parts: [r.t("phone-confirm", { phone: a.pendingPhone ?? "" })],
        options: [[{ id: "use", label: r.t("opt-phone-use"), words: r.words("words-yes") }], [{ id: "other", label: r.t("opt-phone-other"), words: r.words("words-no") }], sosRow(r)],
        freeText: true,
      };
    case "contact_method":
      return {
        parts: [r.t("method-prompt")],
        options: [[{ id: "call", label: r.t("opt-method-call") }], [{ id: "message", label: r.t("opt-method-message") }], sosRow(r)],
        freeText: false,
      };
    case "contact_time":
      return {
        parts: [r.t("time-prompt")],
        options: [
          [{ id: "morning", label: r.t("opt-time-morning") }, { id: "day", label: r.t("opt-time-day") }],
          [{ id: "evening", label: r.t("opt-time-evening") }, { id: "any", label: r.t("opt-time-any") }],
          sosRow(r),
        ],
        freeText: false,
      };
    case "summary":
      return {
        parts: [summaryText(r)],
        options: [
          [{ id: "submit", label: r.t("opt-submit"), words: [...r.words("words-yes"), ...r.words("words-done")] }],
          [{ id: "e:categories", label: r.t("opt-edit-categories") }, { id: "e:region", label: r.t("opt-edit-region") }],
          [{ id: "e:description", label: r.t("opt-edit-description") }, { id: "e:name", label: r.t("opt-edit-name") }],
          [{ id: "e:phone", label: r.t("opt-edit-phone") }, { id: "e:contact", label: r.t("opt-edit-contact") }],
          sosRow(r),
        ],
        freeText: false,
      };
    case "done":
      return {
        parts: [r.t("done-idle", { number: s.requestNumber ?? "—" })],
        options: [[{ id: "status", label: r.t("opt-status") }], [{ id: "restart", label: r.t("opt-restart") }], sosRow(r)],
        freeText: false,
      };
    case "info": {
      const declined = a.consent === "declined";
      return {
        parts: [r.t(declined ? "info-declined" : "info-only"), centerInfo(r), r.t("info-numbers", { numbers: r.numbers() })],
        options: [
          declined ? [{ id: "reconsider", label: r.t("opt-reconsider") }] : [{ id: "topics", label: r.t("opt-other-topic") }],
          [{ id: "restart", label: r.t("opt-restart") }],
          sosRow(r),
        ],
        freeText: false,
      };
    }
    case "teen_help":
      return {
        parts: [`${r.t("teen-help")}\n\n${r.t("teen-chat")}`],
        options: [[{ id: "adult", label: r.t("opt-teen-adult") }], [{ id: "restart", label: r.t("opt-restart") }], sosRow(r)],
        link: { label: r.t("opt-teen-chat"), url: TEEN_CHAT_URL },
        freeText: false,
      };
    case "cancelled":
      return { parts: [r.t("cancelled-idle")], options: [[{ id: "restart", label: r.t("opt-restart") }], sosRow(r)], freeText: false };
    default:
      return { parts: [r.t("cancelled-idle")], options: [[{ id: "restart", label: r.t("opt-restart") }], sosRow(r)], freeText: false };
  }
}

// ── Texts built from several keys ────────────────────────────────────────────

function routeFor(r: Run): RoutingDecision | null {
  return routeOf(r.ctx, r.s);
}

function routeOf(ctx: EngineContext, s: DialogState): RoutingDecision | null {
  const a = s.answers;
  if (!a.regionCode) return null;
  try {
    return routeRequest(ctx.routing, {
      regionCode: a.regionCode,
      municipalityId: a.municipalityId ?? null,
      categories: a.categories,
      urgency: computeUrgency(s),
      flags: deriveFlags(s),
      now: ctx.now,
    });
  } catch {
    return null;
  }
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** "пн–пт 09:00–18:00; сб 10:00–14:00" from the weekly schedule. */
export function formatHours(t: (key: string, args?: TranslateArgs) => string, center: Pick<RoutingCenter, "hours" | "is24x7">): string {
  if (center.is24x7) return t("hours-24x7");
  const hours: WeeklyHours = center.hours ?? {};
  const spec = DAYS.map((d) => (hours[d] ?? []).map(([from, to]) => `${from}–${to}`).join(", "));
  const groups: string[] = [];
  let i = 0;
  while (i < 7) {
    if (!spec[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < 7 && spec[j + 1] === spec[i]) j++;
    const days = i === j ? t(`day-${DAYS[i]}`) : `${t(`day-${DAYS[i]}`)}–${t(`day-${DAYS[j]}`)}`;
    groups.push(`${days} ${spec[i]}`);
    i = j + 1;
  }
  return groups.length > 0 ? groups.join("; ") : t("hours-unknown");
}

function centerInfo(r: Run): string {
  const d = routeFor(r);
  if (!d) return r.t("info-no-center");
  return r.t("info-center", {
    center: d.center.name,
    phone: d.center.publicPhone,
    hours: formatHours((k, args) => r.t(k, args), d.center),
  });
}

/** The served text of this very screen: version, language and the center named in it. */
function consentUrl(r: Run): string {
  const d = routeFor(r);
  const q = new URLSearchParams({ lang: r.s.locale, ...(d ? { center: d.center.key } : {}) });
  return `${r.ctx.consent.publicBaseUrl.replace(/\/$/, "")}/consent/${encodeURIComponent(r.ctx.consent.version)}?${q}`;
}

/** From the versioned consent texts (src/privacy/consent-texts.ts), the same the /consent page serves. */
function consentText(r: Run): string {
  const d = routeFor(r);
  return renderConsentText(r.s.locale, {
    operator: r.ctx.consent.operatorName,
    recipient: d?.center.name ?? GENERIC_RECIPIENT[r.s.locale],
    days: r.ctx.consent.retentionDays,
    version: r.ctx.consent.version,
  });
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

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

/** "до 03:00" / "завтра в 09:00" / "в пн в 09:00": a local moment of the promise in words. */
function whenWords(t: (key: string, args?: TranslateArgs) => string, m: LocalMoment, kind: "by" | "at"): string {
  const args = { time: m.time, date: t(`promise-on-${m.weekday}`) };
  if (kind === "by") {
    if (m.relative === "today") return t("promise-by-today", args);
    return m.relative === "tomorrow" ? t("promise-by-tomorrow", args) : t("promise-by-day", args);
  }
  if (m.relative === "today") return t("promise-at-today", args);
  return m.relative === "tomorrow" ? t("promise-at-tomorrow", args) : t("promise-at-day", args);
}

/**
 * The final confirmation: number, who took it, who will contact the family and by when in their
 * local time (src/routing/promise.ts), hours, and the numbers that answer right now.
 */
export function renderConfirmation(
  i18n: Pick<I18n, "t">,
  locale: Locale,
  input: { number: string; urgency: Urgency; decision: RoutingDecision; routing: RoutingSnapshot; now: Date },
): string {
  const t = (key: string, args?: TranslateArgs) => i18n.t(locale, key, args);
  const { decision, urgency } = input;
  const { promise: p, emergencyNow } = contactPromise(decision, urgency, input.now);
  const parts = [
    t("confirm-created", { number: input.number }),
    t("confirm-center", { center: decision.center.name, phone: decision.center.publicPhone }),
  ];
  if (p.type === "contact_by") {
    if (p.overflowFrom) parts.push(t("confirm-overflow", { center: p.overflowFrom }));
    const when = whenWords(t, p.by, "by");
    parts.push(p.who === "center" ? t("confirm-specialist-by", { when }) : t("confirm-duty-by", { center: p.centerName, when }));
  } else if (p.type === "within_term") {
    parts.push(urgency === "P3" ? t("confirm-promise-p3") : t("confirm-promise-p2"));
  } else if (!p.opensAt) {
    parts.push(t("confirm-closed-no-hours"));
  } else {
    const when = whenWords(t, p.opensAt, "at");
    parts.push(urgency === "P0" || urgency === "P1" ? t("confirm-opens-urgent", { when }) : t("confirm-opens", { when }));
  }
  parts.push(t("confirm-hours", { hours: formatHours(t, decision.center) }));
  if (emergencyNow) parts.push(p.type === "after_opening" ? t("confirm-closed-p0") : t("confirm-now-p0"));
  parts.push(t("confirm-numbers", { numbers: t("emergency-numbers") }));
  parts.push(t("confirm-revoke"));
  return parts.join("\n\n");
}

// ── The step function ────────────────────────────────────────────────────────

const TOKEN = /^(\d{1,9})\.([A-Za-z0-9_:-]{1,60})$/;

export function parseToken(token: string): { seq: number; id: string } | null {
  if (token.length > 64) return null;
  const m = TOKEN.exec(token);
  return m ? { seq: Number(m[1]), id: m[2]! } : null;
}

/** Applies one inbound event. `state` null = a conversation seen for the first time (or reset). */
export function step(state: DialogState | null, event: InboundEvent, ctx: EngineContext): StepResult {
  const start = state ?? initialState(ctx.localeHint ?? "ru");
  const prevSeq = start.seq;
  const wasPhone = start.step === "phone" && !start.modal;
  const r = new Run({ ...start, seq: start.seq + 1 }, ctx);
  handle(r, prevSeq, event, state === null);
  if (r.s.answers.consent === "given" && !r.s.answers.under18) {
    // Captions and edits are the family's words too; a mark says which (language-neutral).
    const kept =
      event.type === "text" ? event.text : event.type === "edited" ? `✏️ ${event.text}` : event.type === "unsupported" && event.caption ? `📎 ${event.caption}` : null;
    if (kept !== null) r.effects.push({ type: "recordInbound", text: kept.slice(0, TRANSCRIPT_MAX) });
  }
  // Leaving the phone step: take the "share my number" keyboard away.
  if (wasPhone && (r.s.step !== "phone" || r.s.modal)) r.replies.unshift({ type: "removeKeyboard" });
  r.s = { ...r.s, lastActivityAt: ctx.now.toISOString() };
  return { state: r.s, replies: r.replies, effects: r.effects };
}

/** The free text an event carries: typed, edited, or the caption of a photo, video or document. */
function freeTextOf(event: InboundEvent): string | null {
  if (event.type === "text" || event.type === "edited") return event.text;
  if (event.type === "unsupported" && event.caption) return event.caption;
  return null;
}

function handle(r: Run, prevSeq: number, event: InboundEvent, fresh: boolean): void {
  // Every free text is screened first, at every step and screen, before anything can gate it.
  const free = freeTextOf(event);
  let hit: "P0" | "P1" | null = null;
  if (free !== null) {
    const flag = screenRedFlags(free);
    if (flag.type === "hit") {
      hit = flag.level;
      if (flag.level === "P0") {
        if (onRedFlagP0(r, free, flag.matches)) return;
      } else {
        notePhrases(r, flag.matches, "P1");
      }
    }
    // «помогите», «SOS», «срочно»… on their own: the numbers at once; the dialog stays where it was.
    if (callForHelp(free) === "only") {
      onHelpCall(r);
      return;
    }
  }

  if (event.type === "command" && event.name === "start") {
    restart(r, event.arg);
    return;
  }
  if (event.type === "start") {
    restart(r, event.payload);
    return;
  }

  // A silence of more than a day: offer to continue or start over before anything else.
  const last = r.s.lastActivityAt ? Date.parse(r.s.lastActivityAt) : Number.NaN;
  if (!fresh && r.s.greeted && !isTerminal(r.s.step) && !r.s.modal && r.ctx.now.getTime() - last > RESUME_AFTER_MS) {
    if (!(event.type === "option" && parseToken(event.token)?.id === "sos")) {
      r.s = { ...r.s, modal: { kind: "resume" } };
      r.show();
      return;
    }
  }

  if (!r.s.greeted) {
    r.s = { ...r.s, greeted: true };
    r.say("greeting");
    if (event.type === "text" && saysMinor(event.text)) return becomeMinor(r);
    if (event.type === "text") {
      const suggested = suggestCategories(event.text);
      if (suggested.length > 0) r.s = { ...r.s, answers: { ...r.s.answers, suggested } };
    }
    advance(r);
    return;
  }

  switch (event.type) {
    case "command":
      onCommand(r, event.name, event.arg);
      return;
    case "option": {
      const parsed = parseToken(event.token);
      // SOS is never gated, not even by a stale button.
      if (parsed?.id === "sos") {
        onSos(r);
        return;
      }
      if (!parsed || parsed.seq !== prevSeq) {
        r.say("stale");
        r.show();
        return;
      }
      onOption(r, parsed.id);
      return;
    }
    case "contact":
      onContact(r, event.phone, event.own);
      return;
    case "unsupported":
      // A caption that asks for help inside a longer text: when in doubt, show the numbers.
      if (event.caption && callForHelp(event.caption) === "contains") {
        onSos(r);
        return;
      }
      r.say("unsupported");
      r.show();
      return;
    case "edited":
      onEdited(r, hit);
      return;
    case "text":
      onText(r, event.text);
      return;
  }
}

/** An edited message: screened above; here only what the person reads (edits change no answer). */
function onEdited(r: Run, hit: "P0" | "P1" | null): void {
  if (hit === "P0") {
    // Already on the emergency path (the red flag above said the numbers again): the question.
    r.show();
    return;
  }
  r.say("edit-noted");
  r.show();
}

/** Red-flag ids found in free text become reasons: in the state, or on the request once it is sent. */
function notePhrases(r: Run, ids: readonly string[], level: "P0" | "P1"): void {
  const s = r.s;
  if (s.answers.under18 === true || ids.length === 0) return;
  if (s.submitted) {
    const reasons = ids.map((id) => ({ source: "phrase" as const, code: id, level, dangerNow: level === "P0" }));
    r.effects.push({ type: "escalateRequest", level, reasons });
    return;
  }
  if (level === "P0") {
    // A request from an earlier dialog may still be open: its center must hear this too.
    const reasons = ids.map((id) => ({ source: "phrase" as const, code: id, level, dangerNow: true }));
    r.effects.push({ type: "escalateRequest", level, reasons, ifOpen: true });
  }
  const flags = [...s.phraseFlags];
  for (const id of ids) {
    const i = flags.findIndex((f) => f.id === id);
    if (i < 0) flags.push({ id, level });
    else if (level === "P0") flags[i] = { id, level };
  }
  r.s = { ...s, phraseFlags: flags };
}

function restart(r: Run, payload: string | undefined): void {
  const s = initialState(r.s.locale, r.s.seq);
  r.s = { ...s, greeted: true };
  const preset = presetFromPayload(r, payload);
  if (preset) r.s = { ...r.s, answers: { ...r.s.answers, ...preset } };
  r.say("greeting");
  advance(r);
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

/** Moves to the step the answers call for; submits when nothing is missing. */
function advance(r: Run): void {
  const res = resolveStep(r.s, flowCatalog(r));
  if (res.type === "submit") {
    submit(r);
    return;
  }
  r.s = { ...r.s, step: res.step };
  r.show({ full: true });
}

const flowCatalog = (r: Run): FlowCatalog => ({
  hasMunicipalities: (code: string) => r.ctx.catalog.municipalities.some((m) => m.regionCode === code),
  // The center the rules choose; overflow at submission is not a new recipient.
  recipientOf: (s) => routeOf(r.ctx, s)?.chosen.center.key ?? null,
});

function setAnswers(r: Run, patch: Partial<DialogState["answers"]>): void {
  r.s = { ...r.s, answers: { ...r.s.answers, ...patch } };
}

function submit(r: Run): void {
  const s = r.s;
  const a = s.answers;
  if (!a.regionCode) {
    // Cannot happen by construction (region is always asked); ask it rather than lose the request.
    r.s = { ...s, step: "region" };
    r.show();
    return;
  }
  const urgency = computeUrgency(s);
  const answers: Record<string, unknown> = {
    dangerNow: a.dangerNow ?? null,
    checks: a.checks,
    safeNow: a.safeNow ?? null,
    familyFlags: a.familyFlags,
    urgentPath: s.urgent,
    locale: s.locale,
  };
  r.effects.push({
    type: "createRequest",
    request: {
      categories: a.categories,
      urgency,
      flags: deriveFlags(s),
      answers,
      regionCode: a.regionCode,
      municipalityId: a.municipalityId ?? null,
      description: a.description ?? null,
      contactName: a.name ?? null,
      contactPhone: a.phone ?? null,
      contactMethod: a.contactMethod ?? (a.phone ? "call" : "message"),
      contactTime: a.contactTime ?? null,
      reasons: urgencyReasons(s),
    },
  });
  r.s = { ...s, submitted: true, step: "done" };
  r.replies.push({
    type: "outcome",
    of: "createRequest",
    options: [[{ label: r.t("opt-status"), token: r.token("status") }], [{ label: r.t("opt-restart"), token: r.token("restart") }], [{ label: r.t("opt-sos"), token: r.token("sos") }]],
  });
}

/**
 * A danger-now phrase in free text: the numbers at once (the only place that says «то, что вы
 * написали, звучит очень серьёзно»), the phrase recorded as the reason, then the emergency path.
 * False when the dialog is already on that path and the text is an ordinary answer.
 */
function onRedFlagP0(r: Run, text: string, ids: readonly string[]): boolean {
  notePhrases(r, ids, "P0");
  const s = r.s;
  if (s.answers.under18 === true) {
    r.say("red-numbers", { numbers: r.numbers() });
    r.s = { ...s, step: "teen_help", greeted: true };
    r.show();
    return true;
  }
  if (s.submitted) {
    r.say("red-numbers", { numbers: r.numbers() });
    r.replies.push({ type: "outcome", of: "escalateRequest" });
    r.show();
    return true;
  }
  if (s.urgent) {
    // Already on the emergency path: the numbers again, and the text is read as an ordinary answer.
    r.say("red-numbers", { numbers: r.numbers() });
    return false;
  }
  const a = s.answers;
  const patch: Partial<DialogState["answers"]> = {};
  // The words that raised the flag describe the situation: kept as the description only when that
  // is the question (after consent); before consent nothing personal is stored, only the flag ids.
  if (s.step === "description" && (a.description === undefined || a.description === null) && !s.modal) {
    const cleaned = cleanText(text, r.ctx.descriptionMaxLength);
    if (cleaned.type === "ok") patch.description = cleaned.text;
  }
  if (!a.categoriesDone) {
    const merged = new Set<Category>([...a.categories, ...suggestCategories(text)]);
    patch.categories = CATEGORIES.filter((c) => merged.has(c));
  }
  r.s = { ...s, urgent: true, noDanger: false, cancelled: false, greeted: true, modal: undefined, answers: { ...a, ...patch } };
  r.say("red-numbers", { numbers: r.numbers() });
  advance(r);
  return true;
}

/** 🆘 pressed: the numbers, an offer of an urgent request, and the screen the person was on. */
function onSos(r: Run): void {
  const s = r.s;
  const canEscalate = !s.urgent && !s.submitted && s.answers.under18 !== true && !s.modal && s.answers.consent !== "declined";
  r.replies.push({
    type: "text",
    text: r.t("sos-message", { numbers: r.numbers() }),
    ...(canEscalate ? { options: [[{ label: r.t("opt-sos-urgent"), token: r.token("urgent") }]] } : {}),
  });
  r.show();
}

/** «помогите» / «SOS» / «help» typed on any screen: like 🆘; a first message also gets the greeting. */
function onHelpCall(r: Run): void {
  if (!r.s.greeted) {
    r.say("sos-first", { numbers: r.numbers() });
    r.s = { ...r.s, greeted: true };
    r.say("greeting");
    advance(r);
    return;
  }
  onSos(r);
}

function onCommand(r: Run, name: string, arg: string | undefined): void {
  switch (name) {
    case "help":
      r.say("help", { numbers: r.numbers() });
      r.show();
      return;
    case "status":
      r.effects.push({ type: "showStatus" });
      r.replies.push({ type: "outcome", of: "showStatus" });
      r.show();
      return;
    case "revoke":
      r.s = { ...r.s, modal: { kind: "revoke" } };
      r.show();
      return;
    case "lang": {
      const want = (arg ?? "").trim().toLowerCase();
      if (want === "ru" || want === "en") {
        r.s = { ...r.s, locale: want, modal: undefined };
        r.say("lang-set");
        r.show();
        return;
      }
      r.s = { ...r.s, modal: { kind: "lang" } };
      r.show();
      return;
    }
    case "back":
      onBack(r);
      return;
    case "cancel":
      onCancel(r);
      return;
    default:
      r.show();
  }
}

function onBack(r: Run): void {
  if (r.s.modal) {
    r.s = { ...r.s, modal: undefined };
    r.show();
    return;
  }
  const res = goBack(r.s, flowCatalog(r));
  if (res.type === "nowhere") {
    r.say("back-nowhere");
    r.show();
    return;
  }
  r.s = res.state;
  advance(r);
}

function onCancel(r: Run): void {
  if (r.s.modal) {
    r.s = { ...r.s, modal: undefined };
    r.show();
    return;
  }
  if (isTerminal(r.s.step)) {
    r.show();
    return;
  }
  // Forget everything typed so far: nothing was sent.
  r.s = { ...initialState(r.s.locale, r.s.seq), greeted: true, cancelled: true, step: "cancelled" };
  r.say("cancelled");
  r.show();
}

function onContact(r: Run, phone: string, own: boolean): void {
  if (r.s.modal || (r.s.step !== "phone" && r.s.step !== "phone_confirm")) {
    // Not asked for: nothing from it is kept.
    r.say("contact-not-now");
    r.show();
    return;
  }
  const n = normalisePhone(phone);
  if (n.type === "invalid") {
    r.say(`phone-invalid-${n.reason.replaceAll("_", "-")}`);
    r.show();
    return;
  }
  if (!own) {
    // A contact card of someone else is not proof of the sender's number: ask.
    setAnswers(r, { pendingPhone: n.e164, phone: undefined });
    advance(r);
    return;
  }
  acceptPhone(r, n.e164, n.foreign);
}

function acceptPhone(r: Run, e164: string, foreign: boolean): void {
  setAnswers(r, { phone: e164, pendingPhone: undefined });
  if (foreign) r.say("phone-foreign", { phone: e164 });
  advance(r);
}

function optionsFlat(v: View): OptDef[] {
  return v.options.flat();
}

function onText(r: Run, raw: string): void {
  const v = viewOf(r);
  const cleaned = cleanText(raw, SHORT_TEXT_MAX);

  // "назад" / "Назад!" / "вернуться" / "отмена" typed as words work like the commands, on every step
  // (punctuation and case ignored, so «Назад!» is never kept as an answer).
  if (cleaned.type === "ok") {
    const folded = foldWords(cleaned.text);
    if (r.words("words-back").map(foldWords).includes(folded)) return onBack(r);
    if (r.words("words-cancel").map(foldWords).includes(folded)) return onCancel(r);
  }

  // A young person saying so («мне 15», «я подросток, хочу просто поговорить»): the children's
  // helpline, and nothing identifying is kept (design.md §4). Not after the request was sent.
  if (cleaned.type === "ok" && !r.s.modal && r.s.step !== "done" && r.s.step !== "teen_help" && saysMinor(cleaned.text)) return becomeMinor(r);
  // At the age question an age in digits is an answer («15», «15 лет», «42»), unless it is an option number.
  if (cleaned.type === "ok" && !r.s.modal && r.s.step === "age") {
    const age = typedAge(cleaned.text);
    // Below 10 a bare digit is a mistyped option number, not a writer's age.
    if (age !== null && ((age > optionsFlat(v).length && age >= 10) || /\p{L}/u.test(cleaned.text))) {
      if (age < 18) return becomeMinor(r);
      setAnswers(r, { under18: false });
      return advance(r);
    }
  }

  // Not understood but asking for help («помогите, он опять…»): when in doubt, show the numbers.
  const helpAsked = callForHelp(raw) === "contains";

  if (r.s.modal) {
    const id = cleaned.type === "ok" ? pickOption(r, v, cleaned.text) : null;
    if (id && id !== "bad_number") return onOption(r, id);
    if (helpAsked) return onSos(r);
    r.say(cleaned.type === "ok" ? "not-understood" : cleaned.type === "emoji_only" ? "bad-emoji" : "bad-empty");
    r.show();
    return;
  }

  if (cleaned.type === "empty") {
    r.say("bad-empty");
    r.show();
    return;
  }

  // Steps that read free text themselves.
  switch (r.s.step) {
    case "description":
      // The text is kept as the description; the numbers come first in case it is urgent.
      if (helpAsked) r.say("sos-note", { numbers: r.numbers() });
      return onDescription(r, raw);
    case "name":
    case "phone":
      // Neither a name nor a number asks for help: the numbers, and the same question again.
      if (helpAsked) return onSos(r);
      return r.s.step === "name" ? onName(r, raw) : onPhoneText(r, raw);
    default:
      break;
  }

  if (cleaned.type === "emoji_only") {
    r.say("bad-emoji");
    r.show();
    return;
  }
  const text = cleaned.text;
  const id = pickOption(r, v, text);
  if (id === "bad_number") {
    r.say("bad-number", { count: optionsFlat(v).length });
    r.show();
    return;
  }
  if (id) return onOption(r, id);

  switch (r.s.step) {
    case "categories": {
      const suggested = suggestCategories(text);
      if (suggested.length > 0) {
        setAnswers(r, { suggested });
        advance(r);
        return;
      }
      if (helpAsked) return onSos(r);
      r.say("cat-not-understood");
      r.show();
      return;
    }
    case "region":
    case "region_choose":
      return onRegionText(r, text);
    case "municipality":
      return onMunicipalityText(r, text);
    case "phone_confirm":
      return onPhoneText(r, raw);
    case "cancelled": {
      // Writing again after cancelling is a fresh start.
      r.s = { ...initialState(r.s.locale, r.s.seq), greeted: true };
      const suggested = suggestCategories(text);
      if (suggested.length > 0) setAnswers(r, { suggested });
      r.say("greeting");
      advance(r);
      return;
    }
    case "done":
      r.say("done-message-noted");
      r.show();
      return;
    default:
      if (helpAsked) return onSos(r);
      r.say("not-understood");
      r.show();
  }
}

/** The option a typed text clearly means: its number, label or a synonym. */
function pickOption(_r: Run, v: View, text: string): string | null | "bad_number" {
  const flat = optionsFlat(v);
  const digits = /^\d{1,2}$/.test(text.trim());
  if (digits && !v.freeText) {
    const n = Number(text.trim());
    const opt = flat[n - 1];
    return opt ? opt.id : "bad_number";
  }
  if (digits) return null;
  const id = matchOptionByText(
    text,
    flat.map((o) => ({ id: o.id, labels: [o.label.replace(/^✓ /, ""), ...(o.words ?? [])] })),
  );
  return id;
}

function onDescription(r: Run, raw: string): void {
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
    setAnswers(r, { description: null });
    advance(r);
    return;
  }
  setAnswers(r, { description: c.text });
  if (c.truncated) r.say("text-truncated", { max: r.ctx.descriptionMaxLength });
  advance(r);
}

function onName(r: Run, raw: string): void {
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
    setAnswers(r, { name: null });
    advance(r);
    return;
  }
  setAnswers(r, { name: c.text });
  advance(r);
}

function onPhoneText(r: Run, raw: string): void {
  const c = cleanText(raw, SHORT_TEXT_MAX);
  if (c.type !== "ok") {
    r.say(c.type === "empty" ? "bad-empty" : "phone-invalid-not-a-number");
    r.show();
    return;
  }
  const v = viewOf(r);
  const id = matchOptionByText(
    c.text,
    optionsFlat(v).map((o) => ({ id: o.id, labels: [o.label, ...(o.words ?? [])] })),
  );
  if (id) return onOption(r, id);
  const n = normalisePhone(c.text);
  if (n.type === "invalid") {
    r.say(`phone-invalid-${n.reason.replaceAll("_", "-")}`);
    r.show();
    return;
  }
  acceptPhone(r, n.e164, n.foreign);
}

function onRegionText(r: Run, text: string): void {
  const m = r.ctx.catalog.matcher.matchRegion(text);
  if (m.type === "one") {
    setAnswers(r, { regionCode: m.code, regionChoices: [], municipalityId: undefined, municipalityChoices: [] });
    r.say("region-ok", { region: regionName(r, m.code) });
    advance(r);
    return;
  }
  if (m.type === "many") {
    setAnswers(r, { regionChoices: m.codes.slice(0, 8), regionCode: undefined });
    advance(r);
    return;
  }
  setAnswers(r, { regionChoices: [] });
  r.say("region-none");
  advance(r);
}

function onMunicipalityText(r: Run, text: string): void {
  const code = r.s.answers.regionCode;
  if (!code) return advance(r);
  const m = r.ctx.catalog.matcher.matchMunicipality(code, text);
  if (m.type === "one") {
    setAnswers(r, { municipalityId: m.id, municipalityChoices: [] });
    advance(r);
    return;
  }
  if (m.type === "many") {
    setAnswers(r, { municipalityChoices: m.ids });
    r.show();
    return;
  }
  r.say("muni-none");
  r.show();
}

function onOption(r: Run, id: string): void {
  const s = r.s;
  const a = s.answers;

  // Options that work wherever they appear.
  switch (id) {
    case "restart":
      return restart(r, undefined);
    case "status":
      return onCommand(r, "status", undefined);
    case "sos":
      // 🆘 typed as its label or a word («помогите») on any screen.
      return onSos(r);
    case "urgent":
      // "Leave an urgent request" after 🆘: the family says they are in danger.
      r.s = { ...s, urgent: true, sosUrgent: true, noDanger: false, modal: undefined };
      return advance(r);
  }

  if (s.modal) {
    switch (id) {
      case "revoke_yes":
        r.effects.push({ type: "eraseMyData" });
        r.replies.push({ type: "outcome", of: "eraseMyData" });
        r.s = { ...initialState(s.locale, s.seq), greeted: true, cancelled: true, step: "cancelled" };
        r.show();
        return;
      case "revoke_no":
        r.s = { ...s, modal: undefined };
        r.say("revoke-kept");
        r.show();
        return;
      case "lang_ru":
      case "lang_en":
        r.s = { ...s, modal: undefined, locale: id === "lang_ru" ? "ru" : "en" };
        r.say("lang-set");
        r.show();
        return;
      case "continue":
        r.s = { ...s, modal: undefined };
        r.say("resume-continue");
        r.show({ full: true });
        return;
      default:
        r.say("not-understood");
        r.show();
        return;
    }
  }

  const check = checkOfStep(s.step);
  if (check && (id === "yes" || id === "no")) {
    setAnswers(r, { checks: { ...a.checks, [check.id]: id === "yes" } });
    if (id === "yes" && check.raise === "P0") return enterUrgent(r, `urgent-${check.key}`);
    return advance(r);
  }

  switch (s.step) {
    case "categories":
      if (id.startsWith("c:")) {
        const c = id.slice(2) as Category;
        if (!CATEGORIES.includes(c)) break;
        const set = new Set(a.categories);
        if (set.has(c)) set.delete(c);
        else set.add(c);
        setAnswers(r, { categories: CATEGORIES.filter((x) => set.has(x)) });
        r.show();
        return;
      }
      if (id === "more" || id === "less") {
        const page = Math.max(0, Math.min(CATEGORY_PAGES - 1, a.categoryPage + (id === "more" ? 1 : -1)));
        setAnswers(r, { categoryPage: page });
        r.show();
        return;
      }
      if (id === "done") {
        if (a.categories.length === 0) {
          r.say("cat-need-one");
          r.show();
          return;
        }
        return categoriesChosen(r, a.categories);
      }
      break;
    case "category_confirm":
      if (id === "yes") return categoriesChosen(r, a.suggested);
      if (id === "list") {
        setAnswers(r, { categories: a.suggested, suggested: [], categoryPage: 0 });
        return advance(r);
      }
      break;
    case "danger_now":
      if (id === "yes") {
        setAnswers(r, { dangerNow: true });
        return enterUrgent(r, "urgent-danger-now");
      }
      if (id === "no") {
        setAnswers(r, { dangerNow: false });
        return advance(r);
      }
      break;
    case "age":
    case "teen_help":
      if (id === "adult") {
        setAnswers(r, { under18: false });
        return advance(r);
      }
      if (id === "minor") return becomeMinor(r);
      break;
    case "family_flags":
      if (id.startsWith("f:")) {
        const f = id.slice(2) as FamilyFlag;
        if (!FAMILY_FLAGS.includes(f)) break;
        const set = new Set(a.familyFlags);
        if (set.has(f)) set.delete(f);
        else set.add(f);
        setAnswers(r, { familyFlags: FAMILY_FLAGS.filter((x) => set.has(x)) });
        r.show();
        return;
      }
      if (id === "none") {
        setAnswers(r, { familyFlags: [], familyFlagsDone: true });
        return advance(r);
      }
      if (id === "done") {
        setAnswers(r, { familyFlagsDone: true });
        return advance(r);
      }
      break;
    case "p0_safe":
      if (id === "safe" || id === "unsafe") {
        setAnswers(r, { safeNow: id });
        if (id === "unsafe") r.say("p0-unsafe", { numbers: r.numbers() });
        return advance(r);
      }
      if (id === "minor") return becomeMinor(r);
      if (id === "nodanger") {
        // A false alarm: back to the ordinary questions, still treated as at least P1 (its own reason).
        r.s = { ...s, urgent: false, noDanger: true, sosUrgent: false, answers: { ...a, dangerNow: a.dangerNow === true ? false : a.dangerNow, safeNow: undefined } };
        return advance(r);
      }
      break;
    case "region_choose":
      if (id.startsWith("r:")) {
        const code = id.slice(2);
        if (!a.regionChoices.includes(code)) break;
        setAnswers(r, { regionCode: code, regionChoices: [], municipalityId: undefined, municipalityChoices: [] });
        return advance(r);
      }
      if (id === "other") {
        setAnswers(r, { regionChoices: [] });
        return advance(r);
      }
      break;
    case "municipality":
      if (id.startsWith("m:")) {
        const mid = id.slice(2);
        if (!r.ctx.catalog.municipalities.some((m) => m.id === mid && m.regionCode === a.regionCode)) break;
        setAnswers(r, { municipalityId: mid, municipalityChoices: [] });
        return advance(r);
      }
      if (id === "other") {
        setAnswers(r, { municipalityId: null, municipalityChoices: [] });
        return advance(r);
      }
      break;
    case "description":
      if (id === "skip") {
        setAnswers(r, { description: null });
        return advance(r);
      }
      break;
    case "consent":
      if (id === "give") return giveConsent(r);
      if (id === "decline") {
        // Nothing personal is kept: what was typed before the consent question is forgotten.
        setAnswers(r, { consent: "declined", consentTo: undefined, description: undefined, name: undefined, phone: undefined, pendingPhone: undefined });
        r.say("consent-declined");
        return advance(r);
      }
      break;
    case "name":
      if (id === "skip") {
        setAnswers(r, { name: null });
        return advance(r);
      }
      break;
    case "phone":
      if (id === "nophone") {
        setAnswers(r, { phone: null, pendingPhone: undefined, contactMethod: "message" });
        return advance(r);
      }
      break;
    case "phone_confirm":
      if (id === "use" && a.pendingPhone) return acceptPhone(r, a.pendingPhone, !a.pendingPhone.startsWith("+7"));
      if (id === "other") {
        setAnswers(r, { pendingPhone: undefined, phone: undefined });
        return advance(r);
      }
      break;
    case "contact_method":
      if (id === "call" || id === "message") {
        setAnswers(r, { contactMethod: id });
        return advance(r);
      }
      break;
    case "contact_time":
      if (id === "morning" || id === "day" || id === "evening" || id === "any") {
        setAnswers(r, { contactTime: id });
        return advance(r);
      }
      break;
    case "summary":
      if (id === "submit") return submit(r);
      if (id.startsWith("e:")) {
        const part = id.slice(2);
        const steps: Record<string, StepId[]> = {
          categories: ["categories"],
          region: ["region"],
          description: ["description"],
          name: ["name"],
          phone: ["phone"],
          contact: ["contact_method", "contact_time"],
        };
        const list = steps[part];
        if (!list) break;
        for (const st of list) r.s = clearStep(r.s, st);
        return advance(r);
      }
      break;
    case "info":
      if (id === "reconsider") {
        setAnswers(r, { consent: undefined });
        return advance(r);
      }
      if (id === "topics") {
        setAnswers(r, { categories: [], categoriesDone: false, categoryPage: 0 });
        return advance(r);
      }
      break;
    default:
      break;
  }
  // A well-formed token of the current step with an id it does not know: forged or outdated.
  r.say("stale");
  r.show();
}

function categoriesChosen(r: Run, categories: Category[]): void {
  setAnswers(r, { categories, categoriesDone: true, suggested: [], categoryPage: 0 });
  if (categories.some((c) => c === "suicide_crisis" || c === "child_danger")) r.say("cat-p0-notice", { numbers: r.numbers() });
  if (isInformationOnly(r.s)) r.say("cat-info-only");
  advance(r);
}

/** An answer that makes the request P0: the numbers with words that fit that answer, then the fast path. */
function enterUrgent(r: Run, key: string): void {
  r.s = { ...r.s, urgent: true, noDanger: false };
  r.say(key, { numbers: r.numbers() });
  advance(r);
}

function becomeMinor(r: Run): void {
  // Under 18: the children's helpline, and nothing identifying is kept.
  setAnswers(r, { under18: true, description: undefined, name: undefined, phone: undefined, pendingPhone: undefined });
  advance(r);
}

function giveConsent(r: Run): void {
  const text = consentText(r);
  const d = routeFor(r);
  r.effects.push({
    type: "recordConsent",
    consent: {
      decision: "given",
      textVersion: r.ctx.consent.version,
      textHash: sha256(text),
      operatorName: r.ctx.consent.operatorName,
      purposes: ["contact_family", "provide_support"],
      dataList: ["name", "phone", "situation_description", "contact_preferences", "messages_in_this_chat"],
      recipients: d ? [`${d.center.key}: ${d.center.name}`] : [],
      term: `${r.ctx.consent.retentionDays}d_after_close`,
      withdrawalMethod: "command /revoke in this chat",
    },
  });
  setAnswers(r, { consent: "given", consentTo: d?.chosen.center.key });
  r.say("consent-thanks");
  advance(r);
}
