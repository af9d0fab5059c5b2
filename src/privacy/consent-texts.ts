// The consent texts (152-ФЗ, design.md §4), one entry per published version and language: the
// single source of what the bot shows on the consent screen, hashes into ConsentRecord.textHash,
// and serves at /consent/VERSION. A published text never changes: a new wording is a new version
// (tests/security/consent-text.test.ts holds the hash of every template and fails otherwise).
// Pure: the dialog engine imports it.
import { createHash } from "node:crypto";

export type ConsentLocale = "ru" | "en";

export interface ConsentParams {
  /** The personal-data operator (OPERATOR_NAME). */
  operator: string;
  /** The center that receives the request, or the generic words when none is known yet. */
  recipient: string;
  /** Retention term in days after the request is closed (RETENTION_DAYS). */
  days: number;
  version: string;
}

const V2026_11_01: Record<ConsentLocale, string> = {
  ru: [
    "Согласие на обработку персональных данных",
    "",
    "Чтобы специалист мог связаться с вами, нам нужно сохранить ваше имя (можно не указывать), телефон, описание ситуации и переписку в этом чате.",
    "",
    "• Оператор: {operator}",
    "• Цель: связаться с вами и помочь вашей семье",
    "• Кому передаём: {recipient}",
    "• Срок хранения: {days} дней после закрытия обращения, затем данные удаляются",
    "• Отозвать согласие можно в любой момент командой /revoke — данные удалятся сразу",
    "",
    "Если жизни или здоровью ребёнка угрожает прямая опасность, по закону мы обязаны сообщить в опеку или полицию.",
    "",
    "Версия текста: {version}. Полный текст — по ссылке ниже.",
    "Вы даёте согласие?",
  ].join("\n"),
  en: [
    "Consent to the processing of personal data",
    "",
    "So that a specialist can contact you, we need to keep your name (optional), phone number, the description of your situation and the messages in this chat.",
    "",
    "• Operator: {operator}",
    "• Purpose: to contact you and help your family",
    "• Shared with: {recipient}",
    "• Kept for: {days} days after the request is closed, then erased",
    "• You can withdraw consent at any time with /revoke — the data is erased at once",
    "",
    "If a child's life or health is in direct danger, the law requires us to report it to guardianship services or the police.",
    "",
    "Text version: {version}. The full text is at the link below.",
    "Do you give your consent?",
  ].join("\n"),
};

/** Every published version, oldest first. Add a version; never edit one. */
export const CONSENT_TEXTS: Readonly<Record<string, Readonly<Record<ConsentLocale, string>>>> = {
  "2026-11-01": V2026_11_01,
};

export const LATEST_CONSENT_VERSION = "2026-11-01";

/** Recipient words when the request's center is not known (yet). */
export const GENERIC_RECIPIENT: Record<ConsentLocale, string> = {
  ru: "кризисный центр вашего региона",
  en: "the crisis center of your region",
};

export function isPublishedConsentVersion(version: string): boolean {
  return Object.hasOwn(CONSENT_TEXTS, version);
}

/**
 * The text exactly as shown and hashed. An unpublished version (tests, a misconfigured start)
 * shows the latest wording under its own label; config refuses such a version in production.
 */
export function renderConsentText(locale: ConsentLocale, p: ConsentParams): string {
  const texts = CONSENT_TEXTS[p.version] ?? CONSENT_TEXTS[LATEST_CONSENT_VERSION];
  const template = texts?.[locale] ?? texts?.ru ?? "";
  const values: Record<string, string> = {
    operator: p.operator,
    recipient: p.recipient,
    days: new Intl.NumberFormat(locale === "en" ? "en" : "ru").format(p.days),
    version: p.version,
  };
  return template.replace(/\{(operator|recipient|days|version)\}/g, (_m, k: string) => values[k] ?? "");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
