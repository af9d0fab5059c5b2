// The shape of the red-flag lexicon file (src/screening/red-flag-lexicon.yaml). Validated with zod
// when loaded so a clinician's typo stops the service at start with the entry named, instead of
// silently screening nothing.
import { z } from "zod";

const text = z.string().trim().min(1, "must not be empty");

// One pattern: words separated by spaces; `a/b` alternatives, `…` or `...` a gap, `{group}`, `=exact`,
// `prefix*`. The parser (pattern.ts) reports finer problems; here only "a non-empty string".
const pattern = z.string().trim().min(1, "an empty pattern");

export const lexiconEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, "an id is lower-case latin letters, digits and _"),
    level: z.enum(["P0", "P1"], {
      message: 'level must be "P0" (danger now) or "P1" (serious, within 24 hours)',
    }),
    why: z.object({ ru: text, en: text }).strict(),
    // Most words between two parts of a pattern joined by `…`.
    gap: z.number().int().min(1).max(8).default(3),
    // A hit right after «не»/«ни» is ignored («он меня не бьёт»). Off for entries where "not" changes nothing.
    negatable: z.boolean().default(true),
    patterns: z.array(pattern).min(1, "at least one pattern"),
    // A hit is dropped when one of these matches right next to it («забрать ребёнка» + «из садика»).
    unless: z.array(pattern).default([]),
    examples: z
      .object({
        match: z.array(text).min(1, "at least one example that must match"),
        no_match: z.array(text).default([]),
      })
      .strict(),
  })
  .strict();

export const lexiconFileSchema = z
  .object({
    version: z.literal(1),
    // Named word lists, used in patterns as {name}.
    groups: z
      .record(z.string().regex(/^[\p{L}_]+$/u, "a group name is letters and _"), z.array(text).min(1))
      .default({}),
    entries: z.array(lexiconEntrySchema).min(1),
  })
  .strict();

export type LexiconEntryData = z.infer<typeof lexiconEntrySchema>;
export type LexiconFileData = z.infer<typeof lexiconFileSchema>;
