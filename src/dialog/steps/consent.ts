// Consent: its own screen naming the center that will receive the request (design.md §4). Asked
// again when the recipient changes; nothing personal is asked before it.
import { createHash } from "node:crypto";
import { GENERIC_RECIPIENT } from "../../privacy/consent-texts.ts";
import { consentRecipientChanged, consentText, consentUrl, flowCatalog, routeFor } from "../recipient.ts";
import { sosRow } from "../run.ts";
import type { Run } from "../run.ts";
import { always, type StepModule } from "./step-module.ts";

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
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
  r.setAnswers({ consent: "given", consentTo: d?.chosen.center.key });
  r.lead("consent-thanks");
  r.advance();
}

export const consentStep: StepModule = {
  id: "consent",
  slot: {
    step: "consent",
    applies: always,
    answered: (s, c) => s.answers.consent !== undefined && !consentRecipientChanged(s, c),
    clear: (a) => ({ ...a, consent: undefined }),
    // A given consent is recorded; "back" does not re-ask it (/revoke withdraws it).
    backable: (s) => s.answers.consent === "declined",
  },
  view(r) {
    // Its own screen: two consent buttons and the link to the full text (design.md §4), plus 🆘:
    // an emergency is never gated, not even by the consent question. It fits a phone screen
    // (issue 12.2): who keeps what, for whom, how long, how to withdraw; the full document — the
    // one whose hash is recorded — is one tap away. Asked again (after a word that was not an
    // answer) it is a one-line question.
    const center = routeFor(r)?.center.name ?? GENERIC_RECIPIENT[r.s.locale];
    const again = consentRecipientChanged(r.s, flowCatalog(r.ctx));
    const parts = again ? [r.t("consent-again", { center })] : [];
    parts.push(
      r.full ? r.t("consent-screen", { operator: r.ctx.consent.operatorName, center, days: r.ctx.consent.retentionDays }) : r.t("consent-short", { center }),
    );
    return {
      parts,
      options: [[{ id: "give", label: r.t("opt-consent-give") }], [{ id: "decline", label: r.t("opt-consent-decline") }], sosRow(r)],
      link: { label: r.t("consent-link"), url: consentUrl(r) },
      freeText: false,
    };
  },
  onOption(r, id) {
    if (id === "give") {
      giveConsent(r);
      return true;
    }
    if (id === "decline") {
      // Nothing personal is kept: what was typed before the consent question is forgotten.
      r.setAnswers({ consent: "declined", consentTo: undefined, description: undefined, name: undefined, phone: undefined, pendingPhone: undefined });
      // The info screen opens with «Хорошо, это ваше право…»: one message in all.
      r.advance();
      return true;
    }
    return false;
  },
};
