// Fluent translations: every text a person reads lives in locales/<lang>/*.ftl.
// All files of a language are loaded into one bundle, so features keep their own .ftl files.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";

export const LOCALES = ["ru", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "ru";

const LOCALES_DIR = fileURLToPath(new URL("../../locales/", import.meta.url));

export type TranslateArgs = Record<string, FluentVariable>;

export interface I18n {
  t(locale: Locale, key: string, args?: TranslateArgs): string;
  has(locale: Locale, key: string): boolean;
  /** Message ids of a locale, for completeness tests. */
  keys(locale: Locale): string[];
}

/** Picks a supported locale from a messenger hint such as "en-US", "ru_RU" or undefined. */
export function pickLocale(hint: string | undefined | null): Locale {
  const lang = (hint ?? "").toLowerCase().slice(0, 2);
  return (LOCALES as readonly string[]).includes(lang) ? (lang as Locale) : DEFAULT_LOCALE;
}

export function createI18n(dir: string = LOCALES_DIR): I18n {
  const bundles = new Map<Locale, FluentBundle>();
  for (const locale of LOCALES) {
    // useIsolating off: the bidi isolation marks confuse messengers and tests.
    const bundle = new FluentBundle(locale, { useIsolating: false });
    const localeDir = path.join(dir, locale);
    for (const file of readdirSync(localeDir).filter((f) => f.endsWith(".ftl")).sort()) {
      const errors = bundle.addResource(new FluentResource(readFileSync(path.join(localeDir, file), "utf8")));
      if (errors.length > 0) throw new Error(`${locale}/${file}: ${errors.map((e) => e.message).join("; ")}`);
    }
    bundles.set(locale, bundle);
  }
  const bundleOf = (locale: Locale) => bundles.get(locale) ?? bundles.get(DEFAULT_LOCALE)!;
  return {
    t(locale, key, args) {
      const bundle = bundleOf(locale);
      const message = bundle.getMessage(key) ?? bundleOf(DEFAULT_LOCALE).getMessage(key);
      if (!message?.value) return key;
      const errors: Error[] = [];
      const out = bundle.formatPattern(message.value, args, errors);
      return out;
    },
    has(locale, key) {
      return bundleOf(locale).hasMessage(key);
    },
    keys(locale) {
      const ids: string[] = [];
      const localeDir = path.join(dir, locale);
      for (const file of readdirSync(localeDir).filter((f) => f.endsWith(".ftl"))) {
        for (const m of readFileSync(path.join(localeDir, file), "utf8").matchAll(/^([a-zA-Z][\w-]*)\s*=/gm)) {
          if (m[1]) ids.push(m[1]);
        }
      }
      return ids;
    },
  };
}
