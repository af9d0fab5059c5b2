// An edited message: screened for danger like any text (screening.ts); here only what the person reads.
import type { Run } from "./run.ts";

export function onEdited(r: Run, hit: "P0" | "P1" | null): void {
  if (hit === "P0") {
    // Already on the emergency path (the red flag said the numbers again): the question.
    r.show();
    return;
  }
  r.say("edit-noted");
  r.show();
}
