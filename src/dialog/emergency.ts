// The emergency side of every screen: 🆘 and «помогите» show the numbers at once and offer an urgent
// request; an answer that makes the request P0 enters the short emergency path. Never gated.
import type { Run } from "./run.ts";

/** 🆘 pressed: the numbers, an offer of an urgent request, and the screen the person was on. */
export function onSos(r: Run): void {
  const s = r.s;
  const canEscalate = !s.urgent && !s.submitted && s.answers.under18 !== true && !s.modal && s.answers.consent !== "declined";
  r.replies.push({
    type: "text",
    text: r.t("sos-message", { numbers: r.numbers() }),
    ...(canEscalate ? { options: [[{ label: r.t("opt-sos-urgent"), token: r.token("urgent") }]] } : {}),
  });
  r.show();
}

/** «помогите» / «SOS» / «help» typed on any screen: like 🆘; a first message also gets the greeting. */
export function onHelpCall(r: Run): void {
  if (!r.s.greeted) {
    r.say("sos-first", { numbers: r.numbers() });
    r.s = { ...r.s, greeted: true };
    r.say("greeting");
    r.advance();
    return;
  }
  onSos(r);
}

/** "Leave an urgent request" after 🆘: the family says they are in danger. */
export function onUrgentRequest(r: Run): void {
  r.s = { ...r.s, urgent: true, sosUrgent: true, noDanger: false, modal: undefined };
  r.advance();
}

/** An answer that makes the request P0: the numbers with words that fit that answer, then the fast path. */
export function enterUrgent(r: Run, key: string): void {
  r.s = { ...r.s, urgent: true, noDanger: false };
  r.say(key, { numbers: r.numbers() });
  r.advance();
}
