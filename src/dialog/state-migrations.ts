// State versioning: the stored dialog state carries its version, and a state of an older version
// is migrated step by step so a dialog in flight — an urgent one above all — survives an upgrade.
// Bumping STATE_VERSION needs a new entry in STATE_MIGRATIONS and a test with a stored state of the
// old version (tests/dialog/consent-order.test.ts has the v1 ones).

export const STATE_VERSION = 2;

export type RawState = Record<string, unknown> & { answers?: Record<string, unknown> };

/**
 * One function per version step: STATE_MIGRATIONS[n] turns a state of version n into version n + 1.
 * Bumping STATE_VERSION needs a new entry here and a test with a stored state of the old version.
 */
export const STATE_MIGRATIONS: Record<number, (s: RawState) => RawState> = {
  // v2: the description is asked after consent (design.md §4). A description typed before a consent
  // that was not given is forgotten; a dialog waiting at the description step goes to consent.
  1: (s) => {
    const answers = { ...(s.answers ?? {}) };
    const consented = answers.consent === "given";
    if (!consented) delete answers.description;
    const step = s.step === "description" && !consented ? "consent" : s.step;
    return { ...s, v: 2, step, answers };
  },
};

/** Brings a raw stored state of an older version up to STATE_VERSION; null when there is no way. */
export function migrateState(raw: RawState): RawState | null {
  let s = raw;
  let v = s.v;
  while (typeof v === "number" && Number.isInteger(v) && v < STATE_VERSION) {
    const m = STATE_MIGRATIONS[v];
    if (!m) return null;
    s = m(s);
    if (s.v !== v + 1) return null;
    v = s.v;
  }
  return v === STATE_VERSION ? s : null;
}

