// What the pure dialog engine takes and gives: its context (loaded by the service), the effects the
// service applies in one transaction, and the replies whose text only the service can write.
import type { Category, Flag, Urgency } from "../domain/taxonomy.ts";
import type { I18n, Locale } from "../i18n/i18n.ts";
import type { RoutingSnapshot } from "../routing/types.ts";
import type { InboundFile, Reply, ReplyOption } from "./service-types.ts";
import type { DialogState } from "./state.ts";
import type { UrgencyReason } from "./urgency-reasons.ts";

export interface CatalogRegion {
  code: string;
  name: string;
}
export interface CatalogMunicipality {
  id: string;
  regionCode: string;
  key: string;
  name: string;
  aliases: string[];
}
export interface RegionMatcher {
  matchRegion(input: string): { type: "one"; code: string } | { type: "many"; codes: string[] } | { type: "none" };
  matchMunicipality(regionCode: string, input: string): { type: "one"; id: string } | { type: "many"; ids: string[] } | { type: "none" };
}
export interface DialogCatalog {
  regions: CatalogRegion[];
  municipalities: CatalogMunicipality[];
  matcher: RegionMatcher;
}

export interface EngineContext {
  now: Date;
  i18n: Pick<I18n, "t">;
  /** Locale hint of the messenger, used when a conversation starts. */
  localeHint?: Locale;
  catalog: DialogCatalog;
  routing: RoutingSnapshot;
  consent: { version: string; publicBaseUrl: string; operatorName: string; retentionDays: number };
  descriptionMaxLength: number;
  /** The messenger's id of the person's message this update carries or edits (an edit of the last answer is a new answer). */
  messageId?: string;
}

/** The consent as shown, with everything the ConsentRecord must prove (design.md §4). */
export interface ConsentDraft {
  decision: "given";
  textVersion: string;
  textHash: string;
  operatorName: string;
  purposes: string[];
  dataList: string[];
  recipients: string[];
  term: string;
  withdrawalMethod: string;
}

/** Everything the request needs; routing happens in the service against the fresh snapshot. */
export interface RequestDraft {
  categories: Category[];
  urgency: Urgency;
  flags: Flag[];
  /** Triage answers without personal data. */
  answers: Record<string, unknown>;
  regionCode: string;
  municipalityId: string | null;
  description: string | null;
  contactName: string | null;
  contactPhone: string | null;
  contactMethod: "call" | "message";
  contactTime: "morning" | "day" | "evening" | "any" | null;
  /** Why the request has its urgency, each with its source (stored as Request.urgencyReasons). */
  reasons?: UrgencyReason[];
}

export type Effect =
  | { type: "recordConsent"; consent: ConsentDraft }
  | { type: "createRequest"; request: RequestDraft }
  /** /revoke confirmed: withdraw consent, erase personal data of this person's requests. */
  | { type: "eraseMyData" }
  | { type: "showStatus" }
  /** An inbound text of a conversation that has consented, kept in the transcript. */
  | { type: "recordInbound"; text: string }
  /**
   * A red flag in the family's messages after the request was sent: raise the open request to the
   * reasons' level (P0: and alert the center) and record the reasons.
   */
  | {
      type: "escalateRequest";
      level: "P0" | "P1";
      reasons: UrgencyReason[];
      /** The family started a new dialog: raise an earlier open request only if there is one, silently. */
      ifOpen?: boolean;
    }
  /**
   * A picture or document sent after the request: kept with the open request (sent-files.ts);
   * `mark`: the transcript line for a file sent without a caption, written only when it is kept.
   */
  | { type: "keepAttachment"; file: InboundFile; mark?: string };

/** Replies whose text only the service can write (it depends on rows it creates or reads). */
export type OutcomeReply = {
  type: "outcome";
  of: "createRequest" | "showStatus" | "eraseMyData" | "escalateRequest" | "keepAttachment";
  options?: ReplyOption[][];
};
export type EngineReply = Reply | OutcomeReply;

export interface StepResult {
  state: DialogState;
  replies: EngineReply[];
  effects: Effect[];
}
