// The erasure of Conversation.state (registry: "reset-state"): a fresh dialog in the same language,
// one step later so buttons pressed on the old screens are recognised as stale.
import { pickLocale } from "../i18n/i18n.ts";
import { initialState, serializeState, STATE_VERSION } from "../dialog/state.ts";

export function resetConversationState(c: { locale: string; seq: number }): { state: string; stateVersion: number; seq: number } {
  return { state: serializeState(initialState(pickLocale(c.locale), c.seq + 1)), stateVersion: STATE_VERSION, seq: c.seq + 1 };
}
