// The triage answers a request carries (Request.answers, written by the dialog engine's submit),
// as rows an operator can read: labels and values from locales/, in the web view's language.
// Keys this version does not know are shown as stored, so nothing an older or newer dialog wrote
// is hidden.
type T = (key: string, args?: Record<string, string | number>) => string;

const CHECKS = ["addiction", "housing", "food", "burnout", "teen"] as const;

export function describeTriageAnswers(answers: Record<string, unknown>, t: T): [string, string][] {
  const yesNo = (v: unknown) => (v === true ? t("web-answer-yes") : v === false ? t("web-answer-no") : "—");
  const rows: [string, string][] = [];
  for (const [key, value] of Object.entries(answers)) {
    switch (key) {
      case "dangerNow":
        rows.push([t("web-answer-danger-now"), yesNo(value)]);
        break;
      case "safeNow":
        rows.push([t("web-answer-safe-now"), value === "safe" ? t("web-answer-yes") : value === "unsafe" ? t("web-answer-no") : "—"]);
        break;
      case "urgentPath":
        rows.push([t("web-answer-urgent-path"), yesNo(value)]);
        break;
      case "redFlag":
        rows.push([t("web-answer-red-flag"), typeof value === "string" ? t("web-answer-red-flag-floor", { urgency: value }) : t("web-answer-none")]);
        break;
      case "familyFlags": {
        const flags = Array.isArray(value) ? value.map((f) => t(`web-flag-${String(f)}`)) : [];
        rows.push([t("web-answer-family-flags"), flags.length > 0 ? flags.join(", ") : t("web-answer-none")]);
        break;
      }
      case "checks": {
        const checks = (value ?? {}) as Record<string, unknown>;
        for (const id of CHECKS) if (id in checks) rows.push([t(`web-answer-check-${id}`), yesNo(checks[id])]);
        break;
      }
      case "locale":
        rows.push([t("web-answer-locale"), value === "en" ? "English" : value === "ru" ? "Русский" : String(value)]);
        break;
      default:
        rows.push([key, typeof value === "string" ? value : JSON.stringify(value)]);
    }
  }
  return rows;
}
