// Red-flag screening moved to src/screening/ (the lexicon is data: src/screening/red-flag-lexicon.yaml).
// Kept here so the dialog engine's import stays as it was.
export {
  describeRedFlag,
  RED_FLAG_IDS,
  type RedFlagLevel,
  type RedFlagResult,
  screenRedFlags,
} from "../screening/red-flags.ts";
