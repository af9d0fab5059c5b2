// One engine run: the state being changed, the replies and effects gathered so far, and the few
// helpers every step uses (texts, option tokens, showing the current question). The flow itself
// (which step comes next, how a step is drawn) is handed in by the engine, so steps and the flow
// never import each other.
import type { Category } from "../domain/taxonomy.ts";
import type { TranslateArgs } from "../i18n/i18n.ts";
import type { Effect, EngineContext, EngineReply } from "./engine-types.ts";
import type { DialogState, StepId } from "./state.ts";

/** One option of a question. */
export interface OptDef {
  id: string;
  label: string;
  /** Other words that clearly mean this option when typed. */
  words?: string[];
}

/** A question as drawn: texts (the last one carries the options), a link, the contact button. */
export interface View {
  parts: string[];
  options: OptDef[][];
  link?: { label: string; url: string };
  contact?: { shareLabel: string };
  /** The step takes free text itself, digits included (a plate code, a phone): digits are not option numbers. */
  freeText: boolean;
}

/** What a run needs from the flow; given by the engine. */
export interface RunFlow {
  /** The current step (or open modal) as a question. */
  view(r: Run): View;
  /** Moves to the step the answers call for; submits when nothing is missing. */
  advance(r: Run): void;
  /** A press of an option of the current screen (also: an option typed as its label or a synonym). */
  option(r: Run, id: string): void;
  /** Clears a step's answer so it is asked again (edit from the summary). */
  clearStep(s: DialogState, step: StepId): DialogState;
}

export class Run {
  replies: EngineReply[] = [];
  effects: Effect[] = [];
  /** Whether the current show() is the step's first showing (the consent screen in full) or a re-ask. */
  full = false;
  /** The step a typed text was read at in this run (set by typed-text.ts): what an edit may redo. */
  textReadAt: StepId | undefined;
  constructor(
    public s: DialogState,
    readonly ctx: EngineContext,
    readonly flow: RunFlow,
  ) {}
  t(key: string, args?: TranslateArgs): string {
    return this.ctx.i18n.t(this.s.locale, key, args);
  }
  words(key: string): string[] {
    return this.t(key)
      .split(",")
      .map((w) => w.trim())
      .filter(Boolean);
  }
  say(key: string, args?: TranslateArgs): void {
    this.replies.push({ type: "text", text: this.t(key, args) });
  }
  /** Short lines that open the next question instead of being messages of their own (issue 12.1). */
  private leads: string[] = [];
  /** A short line («Регион: …», «Спасибо.») put in front of the next question shown. */
  lead(key: string, args?: TranslateArgs): void {
    this.leads.push(this.t(key, args));
  }
  /** Lead lines no question took (the run ended otherwise): sent as they are. */
  flushLeads(): void {
    for (const text of this.leads) this.replies.push({ type: "text", text });
    this.leads = [];
  }
  numbers(): string {
    return this.t("emergency-numbers");
  }
  token(id: string): string {
    return `${this.s.seq}.${id}`;
  }
  setAnswers(patch: Partial<DialogState["answers"]>): void {
    this.s = { ...this.s, answers: { ...this.s.answers, ...patch } };
  }
  view(): View {
    return this.flow.view(this);
  }
  advance(): void {
    this.flow.advance(this);
  }
  option(id: string): void {
    this.flow.option(this, id);
  }
  /** Appends the current step (or open modal) as replies; a re-ask of consent is its short form. */
  show(opts?: { full?: boolean }): void {
    this.full = opts?.full === true;
    const v = this.view();
    if (this.leads.length > 0 && v.parts.length > 0) {
      v.parts = [[...this.leads, v.parts[0]].join("\n\n"), ...v.parts.slice(1)];
      this.leads = [];
    }
    const rows = v.options.map((row) => row.map((o) => ({ label: o.label, token: this.token(o.id) })));
    v.parts.forEach((text, i) => {
      const last = i === v.parts.length - 1;
      if (!last) {
        this.replies.push({ type: "text", text });
        return;
      }
      if (v.contact) {
        this.replies.push({ type: "requestContact", text, shareLabel: v.contact.shareLabel, ...(rows.length ? { options: rows } : {}) });
      } else {
        this.replies.push({ type: "text", text, ...(rows.length ? { options: rows } : {}), ...(v.link ? { link: v.link } : {}) });
      }
    });
  }
}

export const yesNo = (r: Run): OptDef[][] => [
  [
    { id: "yes", label: r.t("opt-yes"), words: r.words("words-yes") },
    { id: "no", label: r.t("opt-no"), words: r.words("words-no") },
  ],
];
export const sosRow = (r: Run): OptDef[] => [{ id: "sos", label: r.t("opt-sos"), words: r.words("words-sos") }];
export const restartRow = (r: Run): OptDef[] => [{ id: "restart", label: r.t("opt-restart") }];

export function optionsFlat(v: View): OptDef[] {
  return v.options.flat();
}

export function categoryLabel(r: Run, c: Category): string {
  return r.t(`cat-${c.replaceAll("_", "-")}`);
}

export function regionName(r: Run, code: string | undefined): string {
  return r.ctx.catalog.regions.find((x) => x.code === code)?.name ?? code ?? "";
}

export function municipalityName(r: Run, id: string | null | undefined): string {
  if (id === null) return r.t("muni-other-label");
  return r.ctx.catalog.municipalities.find((m) => m.id === id)?.name ?? "";
}

/** Longest texts a step keeps (the description has its own, configured limit). */
export const NAME_MAX = 100;
export const SHORT_TEXT_MAX = 300;
