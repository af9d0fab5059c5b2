// Why a request has its urgency (issue 11, design.md §3): every raise is recorded as its own reason
// with its source, so operators read "fear of harming self or child — answer in the dialog" instead
// of a guess. "Danger now" is true only for what the family said (the danger question, the urgent
// SOS request) or a danger-now phrase they wrote. Reasons hold codes, never the family's words, so
// they may appear in operators' chats. Pure: no framework.
import { z } from "zod";
import { CATEGORIES, type Category, URGENCIES, type Urgency } from "../domain/taxonomy.ts";
import type { Locale } from "../i18n/i18n.ts";
import * as redFlags from "./red-flags.ts";

/** answer: a button/answer in the dialog; phrase: a red-flag phrase in free text; category: its default level. */
export const REASON_SOURCES = ["answer", "phrase", "category", "flag"] as const;
export type ReasonSource = (typeof REASON_SOURCES)[number];

/** Codes of reasons that come from answers in the dialog. */
export const ANSWER_REASONS = [
  "danger_now",
  "sos_urgent",
  "check_burnout",
  "check_housing",
  "check_teen",
  "check_food",
  "check_addiction",
  "alarm_no_danger",
  "emergency_path",
] as const;

export const urgencyReasonSchema = z.object({
  source: z.enum(REASON_SOURCES),
  /** answer code, category code or red-flag lexicon id. */
  code: z.string().min(1).max(80),
  level: z.enum(URGENCIES),
  /** The family said there is danger right now, or wrote a danger-now phrase. */
  dangerNow: z.boolean().default(false),
});
export type UrgencyReason = z.infer<typeof urgencyReasonSchema>;

/** Reads reasons stored as JSON (Request.urgencyReasons); anything malformed is skipped, not thrown. */
export function parseUrgencyReasons(raw: unknown): UrgencyReason[] {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(value)) return [];
  const out: UrgencyReason[] = [];
  for (const item of value) {
    const parsed = urgencyReasonSchema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/** Adds a reason, keeping one per (source, code): the more urgent level and danger-now win. */
export function mergeReason(list: readonly UrgencyReason[], reason: UrgencyReason): UrgencyReason[] {
  const i = list.findIndex((r) => r.source === reason.source && r.code === reason.code);
  if (i < 0) return [...list, reason];
  const old = list[i]!;
  const rank = (u: Urgency) => URGENCIES.indexOf(u);
  const merged: UrgencyReason = {
    ...old,
    level: rank(reason.level) < rank(old.level) ? reason.level : old.level,
    dangerNow: old.dangerNow || reason.dangerNow,
  };
  return list.map((r, j) => (j === i ? merged : r));
}

export interface ReasonLine {
  label: string;
  level: Urgency;
  dangerNow: boolean;
  source: ReasonSource;
}

type T = (key: string, args?: Record<string, string | number>) => string;

/** The lexicon's own wording of a red flag when it offers one (describeRedFlag), else ours. */
function phraseLabel(id: string, locale: Locale, t: T): string {
  const describe = (redFlags as { describeRedFlag?: (id: string, locale: Locale) => unknown }).describeRedFlag;
  if (typeof describe === "function") {
    try {
      const text = describe(id, locale);
      // It answers the id itself for ids it does not know (e.g. ones recorded by an older lexicon).
      if (typeof text === "string" && text.trim() !== "" && text !== id) return text;
    } catch {
      // An unknown id in the lexicon's describer: fall back to our labels.
    }
  }
  const key = `reason-phrase-${id.replaceAll("_", "-")}`;
  const own = t(key);
  return own === key ? t("reason-phrase-other", { id }) : own;
}

/** One ru/en label per reason (locales/<lang>/urgency.ftl). `t` must translate in `locale`. */
export function describeUrgencyReason(reason: UrgencyReason, locale: Locale, t: T): string {
  switch (reason.source) {
    case "answer": {
      const key = `reason-answer-${reason.code.replaceAll("_", "-")}`;
      const text = t(key);
      return text === key ? t("reason-answer-other", { code: reason.code }) : text;
    }
    case "phrase":
      return t("reason-phrase", { what: phraseLabel(reason.code, locale, t) });
    case "category": {
      const known = (CATEGORIES as readonly string[]).includes(reason.code);
      return t("reason-category", { category: known ? t(`web-cat-${reason.code as Category}`) : reason.code, level: reason.level });
    }
    case "flag":
      return t("reason-family-flag", { flag: t(`web-flag-${reason.code}`) });
  }
}

/** Reasons (raw JSON or parsed) as labelled lines, most urgent first. */
export function describeUrgencyReasons(raw: unknown, locale: Locale, t: T): ReasonLine[] {
  return parseUrgencyReasons(raw)
    .sort((a, b) => URGENCIES.indexOf(a.level) - URGENCIES.indexOf(b.level))
    .map((r) => ({ label: describeUrgencyReason(r, locale, t), level: r.level, dangerNow: r.dangerNow, source: r.source }));
}
