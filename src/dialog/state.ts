// The persisted dialog state. It is JSON in Conversation.state, versioned, and parsed with zod when
// read back. A state of an older version is migrated step by step (STATE_MIGRATIONS) so a dialog in
// flight — an urgent one above all — survives an upgrade; only what cannot be read restarts.
import { z } from "zod";
import { CATEGORIES, FLAGS, URGENCIES } from "../domain/taxonomy.ts";
import { LOCALES, type Locale } from "../i18n/i18n.ts";
import { migrateState, type RawState, STATE_VERSION } from "./state-migrations.ts";

// The version and its migrations live in state-migrations.ts.
export { migrateState, STATE_MIGRATIONS, STATE_VERSION } from "./state-migrations.ts";

export const STEP_IDS = [
  "categories",
  "category_confirm",
  "danger_now",
  "age",
  "check_addiction",
  "check_housing",
  "check_food",
  "check_burnout",
  "check_teen",
  "family_flags",
  "p0_safe",
  "region",
  "region_choose",
  "municipality",
  "description",
  "consent",
  "name",
  "phone",
  "phone_confirm",
  "contact_method",
  "contact_time",
  "summary",
  // Terminal steps: the dialog rests here until the person starts over.
  "done",
  "info",
  "teen_help",
  "cancelled",
] as const;
export type StepId = (typeof STEP_IDS)[number];

export const CHECK_IDS = ["addiction", "housing", "food", "burnout", "teen"] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export const FAMILY_FLAGS = ["child_under_4", "child_disability", "pregnancy", "large_family", "single_parent"] as const;
export type FamilyFlag = (typeof FAMILY_FLAGS)[number];

const category = z.enum(CATEGORIES);

export const answersSchema = z.object({
  categories: z.array(category).default([]),
  categoriesDone: z.boolean().default(false),
  /** Categories guessed from free text, waiting for the person to confirm. */
  suggested: z.array(category).default([]),
  categoryPage: z.number().int().min(0).default(0),
  /** «Несколько тем» was pressed: a topic press ticks instead of answering (issue 12.1). */
  categoryMulti: z.boolean().default(false),
  dangerNow: z.boolean().optional(),
  under18: z.boolean().optional(),
  checks: z.partialRecord(z.enum(CHECK_IDS), z.boolean()).default({}),
  familyFlags: z.array(z.enum(FAMILY_FLAGS)).default([]),
  familyFlagsDone: z.boolean().default(false),
  safeNow: z.enum(["safe", "unsafe"]).optional(),
  regionCode: z.string().optional(),
  regionChoices: z.array(z.string()).default([]),
  /** null = "other / don't know"; undefined = not asked yet. */
  municipalityId: z.string().nullable().optional(),
  municipalityChoices: z.array(z.string()).default([]),
  /** Personal data: asked only after consent; erased when consent is declined. */
  description: z.string().nullable().optional(),
  consent: z.enum(["given", "declined"]).optional(),
  /** Key of the center named in the consent given last (before overflow): another center asks again. */
  consentTo: z.string().optional(),
  name: z.string().nullable().optional(),
  /** The name is asked as its own question only when the family edits it from the summary. */
  askName: z.boolean().default(false),
  /** E.164; null = no phone, "write to me here". */
  phone: z.string().nullable().optional(),
  /** A contact shared by the person that is not their own: confirmed before it is used. */
  pendingPhone: z.string().optional(),
  contactMethod: z.enum(["call", "message"]).optional(),
  contactTime: z.enum(["morning", "day", "evening", "any"]).optional(),
  /** How and when to contact are asked only when the family edits them from the summary (default: a call, any time). */
  askContact: z.boolean().default(false),
});
export type Answers = z.infer<typeof answersSchema>;

export const modalSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("revoke") }),
  z.object({ kind: z.literal("lang") }),
  z.object({ kind: z.literal("resume") }),
]);
export type Modal = z.infer<typeof modalSchema>;

export const dialogStateSchema = z.object({
  v: z.literal(STATE_VERSION),
  locale: z.enum(LOCALES),
  /** Step counter: every handled event bumps it; option tokens carry it to detect stale presses. */
  seq: z.number().int().min(0),
  step: z.enum(STEP_IDS),
  /** Whether the greeting has been shown in this dialog. */
  greeted: z.boolean().default(false),
  /** The P0 path: entered by a red flag, "danger now" or the SOS button. */
  urgent: z.boolean().default(false),
  /** Lowest urgency forced by red flags in free text (written by older versions; read as a phrase reason). */
  urgencyFloor: z.enum(URGENCIES).optional(),
  /** Red flags found in the family's free text: lexicon ids and levels, never the words. */
  phraseFlags: z.array(z.object({ id: z.string().min(1).max(80), level: z.enum(["P0", "P1"]) })).default([]),
  /** The family pressed "leave an urgent request" after SOS: they said they are in danger. */
  sosUrgent: z.boolean().default(false),
  /** On the emergency path the family answered that there is no danger right now. */
  noDanger: z.boolean().default(false),
  /** The request was submitted (the dialog rests at "done"). */
  submitted: z.boolean().default(false),
  /** The person cancelled (or withdrew consent); the dialog rests at "cancelled". */
  cancelled: z.boolean().default(false),
  modal: modalSchema.optional(),
  answers: answersSchema,
  /** Number of the request created in this dialog; filled in by the service after it is created. */
  requestNumber: z.string().optional(),
  /**
   * The person's last typed answer: its message id, the step it answered and the seq after it. An
   * edit of that message before anything else happened counts as a new answer (issue 12.5).
   */
  lastText: z.object({ messageId: z.string().min(1).max(100), seq: z.number().int().min(0), step: z.enum(STEP_IDS) }).optional(),
  lastActivityAt: z.string().optional(),
});
export type DialogState = z.infer<typeof dialogStateSchema>;

export const FLAG_CODES = FLAGS;

export function emptyAnswers(): Answers {
  return answersSchema.parse({});
}

export function initialState(locale: Locale, seq = 0): DialogState {
  return {
    v: STATE_VERSION,
    locale,
    seq,
    step: "categories",
    greeted: false,
    urgent: false,
    phraseFlags: [],
    sosUrgent: false,
    noDanger: false,
    submitted: false,
    cancelled: false,
    answers: emptyAnswers(),
  };
}

export type ParsedState = { type: "ok"; state: DialogState } | { type: "reset"; reason: "missing" | "invalid" | "old_version" };

/** Parses JSON read back from the database; anything that does not fit restarts the dialog. */
export function parseState(json: string | null | undefined): ParsedState {
  if (!json) return { type: "reset", reason: "missing" };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { type: "reset", reason: "invalid" };
  }
  if (typeof raw === "object" && raw !== null && "v" in raw && (raw as { v: unknown }).v !== STATE_VERSION) {
    const migrated = migrateState(raw as RawState);
    if (!migrated) return { type: "reset", reason: "old_version" };
    raw = migrated;
  }
  const parsed = dialogStateSchema.safeParse(raw);
  return parsed.success ? { type: "ok", state: parsed.data } : { type: "reset", reason: "invalid" };
}

export function serializeState(state: DialogState): string {
  return JSON.stringify(state);
}
