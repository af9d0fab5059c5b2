// Whether a dialog step dropped personal answers without a consent to keep them (declined consent,
// a teen, a cancel or restart before consent): then nothing of them may stay in the database files,
// so the service flushes the WAL after the step (flushErasure), as it does after /revoke.
import type { DialogState } from "../dialog/state.ts";

const PERSONAL_ANSWERS = ["description", "name", "phone", "pendingPhone"] as const;

export function forgetsPersonalAnswers(before: DialogState, after: DialogState): boolean {
  if (after.answers.consent === "given") return false;
  return PERSONAL_ANSWERS.some((k) => {
    const was = before.answers[k];
    return typeof was === "string" && was !== "" && after.answers[k] !== was;
  });
}
