// Public phones of centers, checked with libphonenumber-js (Russian numbers may be written without +7).
import { parsePhoneNumberFromString } from "libphonenumber-js";

/** A valid number in international format ("+7 846 123 45 67"), or null. */
export function normalizePhone(input: string): string | null {
  const p = parsePhoneNumberFromString(input, "RU");
  return p?.isValid() ? p.formatInternational() : null;
}

/** Markup where plain text is expected (`<script`, `<img`, `</b`, `javascript:`): refused, not stored. */
export function looksLikeMarkup(s: string): boolean {
  return /<\s*[/!?]?\s*[a-z]/i.test(s) || /javascript\s*:/i.test(s);
}
