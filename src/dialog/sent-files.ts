// A picture or document from the family (an eviction notice, a medical paper). It is kept only with
// a request already sent under consent: then the service stores it with the open request
// (src/requests/attachments.ts) and acknowledges it with the request number. Before that nothing of
// it is kept — only its caption, screened for danger like any typed text (screening.ts) — and the
// family is told so kindly, with what to do instead.
import type { Run } from "./run.ts";
import type { InboundFile } from "./service-types.ts";

/** A transcript line for a file sent without a caption (language-neutral, like the engine's marks). */
export function fileMark(file: InboundFile): string {
  return `📎 ${file.fileName ?? (file.kind === "photo" ? "🖼" : "📄")}`;
}

/**
 * `show`: repeat the current question after the note (not when the emergency path answered).
 * `captioned`: the caption already joins the transcript; else a mark tells the operator a file came.
 */
export function onFile(r: Run, file: InboundFile, show: boolean, captioned = false): void {
  const s = r.s;
  if (s.submitted && s.answers.consent === "given" && s.answers.under18 !== true) {
    r.effects.push({ type: "keepAttachment", file, ...(captioned ? {} : { mark: fileMark(file) }) });
    r.replies.push({ type: "outcome", of: "keepAttachment" });
    return;
  }
  r.say(s.answers.under18 === true ? "file-not-kept-teen" : "file-not-kept-before-request");
  if (show) r.show();
}
