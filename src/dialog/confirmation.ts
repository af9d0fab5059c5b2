// The texts about the center: its hours in words, and the final confirmation (number, who took the
// request, who contacts the family and by when in their local time, the numbers that answer now).
import type { Urgency } from "../domain/taxonomy.ts";
import type { I18n, Locale, TranslateArgs } from "../i18n/i18n.ts";
import { contactPromise, type LocalMoment } from "../routing/promise.ts";
import type { RoutingCenter, RoutingDecision, RoutingSnapshot, WeeklyHours } from "../routing/types.ts";

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
