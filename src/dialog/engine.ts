// The pure dialog engine: (state, event, ctx) → (state, replies, effects). No grammY, MAX, Prisma or
// Fastify here; the service loads the context, applies the effects in one transaction and saves
// the state. Every text comes from locales/*/dialog.ftl through ctx.i18n.
//
// This file only routes an event: the steps live in steps/ (one module each, ordered in flow.ts);
// what works on every screen has its own file — screening.ts (danger first), emergency.ts (🆘),
// resume.ts (after a long silence), navigation.ts (start, back, cancel), commands.ts, modals.ts,
// typed-text.ts (typed answers), edits.ts, submit.ts; state.ts keeps the stored state and its
// migrations.
import { onCommand } from "./commands.ts";
import { onEdited } from "./edits.ts";
import type { EngineContext, StepResult } from "./engine-types.ts";
import { onSos, onUrgentRequest } from "./emergency.ts";
import { suggestCategories } from "./category-suggest.ts";
import { clearStep, resolveStep, stepModule } from "./flow.ts";
import { modalView, onModalOption } from "./modals.ts";
import { restart } from "./navigation.ts";
import { flowCatalog } from "./recipient.ts";
import { offerResume } from "./resume.ts";
import { Run, type RunFlow } from "./run.ts";
import { screenEvent } from "./screening.ts";
import { onFile } from "./sent-files.ts";
import type { InboundEvent } from "./service-types.ts";
import { type DialogState, initialState } from "./state.ts";
import { onContact } from "./steps/phone.ts";
import { becomeMinor } from "./steps/teen-help.ts";
import { submit } from "./submit.ts";
import { callForHelp, saysMinor } from "./text-input.ts";
import { parseToken } from "./tokens.ts";
import { onText } from "./typed-text.ts";

export type {
  CatalogMunicipality,
  CatalogRegion,
  ConsentDraft,
  DialogCatalog,
  Effect,
  EngineContext,
  EngineReply,
  OutcomeReply,
  RegionMatcher,
  RequestDraft,
  StepResult,
} from "./engine-types.ts";
export { formatHours, renderConfirmation } from "./confirmation.ts";
export { RESUME_AFTER_MS } from "./resume.ts";
export { sha256 } from "./steps/consent.ts";
export { parseToken } from "./tokens.ts";

const TRANSCRIPT_MAX = 4000;

const FLOW: RunFlow = {
  view: (r) => (r.s.modal ? modalView(r, r.s.modal) : stepModule(r.s.step).view(r)),
  advance,
  option: onOption,
  clearStep,
};

/** Applies one inbound event. `state` null = a conversation seen for the first time (or reset). */
export function step(state: DialogState | null, event: InboundEvent, ctx: EngineContext): StepResult {
  const start = state ?? initialState(ctx.localeHint ?? "ru");
  const prevSeq = start.seq;
  const wasPhone = start.step === "phone" && !start.modal;
  const r = new Run({ ...start, seq: start.seq + 1 }, ctx, FLOW);
  handle(r, prevSeq, event, state === null);
  r.flushLeads();
  if (r.s.answers.consent === "given" && !r.s.answers.under18) {
    // Captions and edits are the family's words too; a mark says which (language-neutral).
    const kept =
      event.type === "text" ? event.text : event.type === "edited" ? `✏️ ${event.text}` : event.type === "unsupported" && event.caption ? `📎 ${event.caption}` : null;
    if (kept !== null) r.effects.push({ type: "recordInbound", text: kept.slice(0, TRANSCRIPT_MAX) });
  }
  r.s = { ...r.s, lastText: lastTextAfter(r, start, ctx.messageId) };
  // Leaving the phone step: take the "share my number" keyboard away.
  if (wasPhone && (r.s.step !== "phone" || r.s.modal)) r.replies.unshift({ type: "removeKeyboard" });
  r.s = { ...r.s, lastActivityAt: ctx.now.toISOString() };
  return { state: r.s, replies: r.replies, effects: r.effects };
}

/**
 * The typed answer an edit may still redo: only one that changed nothing beyond the answers
 * (no consent, request, emergency path, teen screen, cancel or modal), so reading it again is safe.
 */
function lastTextAfter(r: Run, before: DialogState, messageId: string | undefined): DialogState["lastText"] {
  const s = r.s;
  if (messageId === undefined || r.textReadAt === undefined || before.modal || s.modal) return undefined;
  if (s.submitted || s.cancelled || s.urgent !== before.urgent || s.answers.under18 !== before.answers.under18) return undefined;
  if (!r.effects.every((e) => e.type === "recordInbound")) return undefined;
  return { messageId: messageId.slice(0, 100), seq: s.seq, step: r.textReadAt };
}

function handle(r: Run, prevSeq: number, event: InboundEvent, fresh: boolean): void {
  // Every free text is screened first, at every step and screen, before anything can gate it.
  const screened = screenEvent(r, event);
  if (screened.type === "handled") {
    // The numbers came first; a picture sent with that caption is still kept (or declined kindly).
    if (event.type === "unsupported" && event.file) onFile(r, event.file, false, !!event.caption);
    return;
  }

  if (event.type === "command" && event.name === "start") {
    restart(r, event.arg);
    return;
  }
  if (event.type === "start") {
    restart(r, event.payload);
    return;
  }

  if (offerResume(r, event, fresh)) return;

  if (!r.s.greeted) {
    r.s = { ...r.s, greeted: true };
    r.say("greeting");
    if (event.type === "text" && saysMinor(event.text)) return becomeMinor(r);
    if (event.type === "text") {
      const suggested = suggestCategories(event.text);
      if (suggested.length > 0) r.setAnswers({ suggested });
    }
    if (event.type === "unsupported" && event.file) onFile(r, event.file, false);
    advance(r);
    return;
  }

  switch (event.type) {
    case "command":
      onCommand(r, event.name, event.arg);
      return;
    case "option": {
      const parsed = parseToken(event.token);
      // SOS is never gated, not even by a stale button.
      if (parsed?.id === "sos") {
        onSos(r);
        return;
      }
      if (!parsed || parsed.seq !== prevSeq) {
        // The question shown last stays answerable: a new number here would make it stale too, and a
        // family answering it while the repeat is on its way would be one step behind for ever.
        r.s = { ...r.s, seq: prevSeq };
        r.say("stale");
        r.show();
        return;
      }
      onOption(r, parsed.id);
      return;
    }
    case "contact":
      onContact(r, event.phone, event.own);
      return;
    case "unsupported":
      // A caption that asks for help inside a longer text: when in doubt, show the numbers.
      if (event.caption && callForHelp(event.caption) === "contains") {
        onSos(r);
        if (event.file) onFile(r, event.file, false, true);
        return;
      }
      // A picture or document: kept with an open request, else a kind note (sent-files.ts).
      if (event.file) return onFile(r, event.file, true, !!event.caption);
      r.say("unsupported");
      r.show();
      return;
    case "edited":
      onEdited(r, event.text, screened.hit, prevSeq);
      return;
    case "text":
      onText(r, event.text);
      return;
  }
}

/** Moves to the step the answers call for; submits when nothing is missing. */
function advance(r: Run): void {
  const res = resolveStep(r.s, flowCatalog(r.ctx));
  if (res.type === "submit") {
    submit(r);
    return;
  }
  r.s = { ...r.s, step: res.step };
  r.show({ full: true });
}

/** A press (or an option typed as words): the ones that work everywhere, a modal's, the step's. */
function onOption(r: Run, id: string): void {
  switch (id) {
    case "restart":
      return restart(r, undefined);
    case "status":
      return onCommand(r, "status", undefined);
    case "sos":
      // 🆘 typed as its label or a word («помогите») on any screen.
      return onSos(r);
    case "urgent":
      return onUrgentRequest(r);
  }
  if (r.s.modal) return onModalOption(r, id);
  if (stepModule(r.s.step).onOption?.(r, id)) return;
  // A well-formed token of the current step with an id it does not know: forged or outdated.
  r.say("stale");
  r.show();
}
