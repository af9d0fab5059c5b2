// A picture or document from the family (an eviction notice, a medical paper). It is kept only with
// a request already sent under consent: then the service stores it with the open request
// (src/requests/attachments.ts) and acknowledges it with the request number. Before that nothing of
// it is kept — only its caption, screened for danger like any typed text (screening.ts) — and the
// family is told so kindly, with what to do instead.
import type { Run } from "./run.ts";
import type { InboundFile } from "./service-types.ts";

/** `show`: repeat the current question after the note (not when the emergency path answered). */
export function onFile(r: Run, file: InboundFile, show: boolean): void {
  const s = r.s;
  if (s.submitted && s.answers.consent === "given" && s.answers.under18 !== true) {
    r.effects.push({ type: "keepAttachment", file });
    r.replies.push({ type: "outcome", of: "keepAttachment" });
    return;
  }
  r.say(s.answers.under18 === true ? "file-not-kept-teen" : "file-not-kept-before-request");
  if (show) r.show();
}
