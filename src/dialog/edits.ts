// An edited message (screened for danger like any text, screening.ts). An edit of the last typed
// answer, before anything else happened, counts as the new answer at the step it answered (issue
// 12.5: a typo fixed in place); older edits get a kind note. After the request an edit is one more
// message for the specialist.
import { isTerminal, resolveStep } from "./flow.ts";
import { flowCatalog } from "./recipient.ts";
import type { Run } from "./run.ts";
import type { DialogState } from "./state.ts";
import { acknowledgeAfterRequest } from "./steps/done.ts";
import { onText } from "./typed-text.ts";

export function onEdited(r: Run, text: string, hit: "P0" | "P1" | null, prevSeq: number): void {
  if (hit === "P0") {
    // Already on the emergency path (the red flag said the numbers again): the question.
    r.show();
    return;
  }
  if (r.s.step === "done" && !r.s.modal) return acknowledgeAfterRequest(r);
  const redo = redoState(r, prevSeq);
  if (redo) {
    r.s = redo;
    r.say("edit-applied");
    onText(r, text);
    return;
  }
  r.say("edit-noted");
  r.show();
}

/** The state in which the edited text is read again, or null when the edit is not of the last answer. */
function redoState(r: Run, prevSeq: number): DialogState | null {
  const last = r.s.lastText;
  const id = r.ctx.messageId;
  if (!last || id === undefined || last.messageId !== id || last.seq !== prevSeq) return null;
  if (r.s.modal || isTerminal(r.s.step)) return null;
  if (r.s.step === last.step) return r.s;
  // Ask that step again only where clearing its answer leads straight back to it (nothing after
  // it depended on the answer in another way).
  const cleared = r.flow.clearStep(r.s, last.step);
  const res = resolveStep(cleared, flowCatalog(r.ctx));
  return res.type === "step" && res.step === last.step ? { ...cleared, step: last.step } : null;
}
