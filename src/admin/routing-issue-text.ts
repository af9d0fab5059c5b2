// Routing problems in the reader's language. The routing code keeps English `message`s for the CLI
// and gives stable ids (`text`) or, for consistency checks, a `code` and the entity; here they
// become ru/en sentences from locales/*/web.ftl (web-rf-*). Never a raw English message on a page.
import type { I18n, Locale } from "../i18n/i18n.ts";
import type { RoutingIssue } from "../routing/validate-rules.ts";

export function routingIssueMessage(i18n: I18n, locale: Locale, issue: Pick<RoutingIssue, "code" | "entity" | "text" | "path">): string {
  if (issue.text) {
    const key = `web-rf-${issue.text.id}`;
    if (i18n.has(locale, key)) return i18n.t(locale, key, issue.text.args ?? {});
  }
  const key = `web-rf-code-${issue.code}`;
  const args = { key: issue.entity?.key ?? "", kind: issue.entity ? i18n.t(locale, `web-rf-kind-${issue.entity.kind}`) : "" };
  return i18n.has(locale, key) ? i18n.t(locale, key, args) : i18n.t(locale, "web-rf-code-other");
}
