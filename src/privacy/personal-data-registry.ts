// Every column of every model, classified: which hold a family's personal data and how each is
// erased, which are pseudonymous keys kept as evidence, which are staff or secret, which are none.
// Withdrawal (/revoke) and the retention purge erase exactly the "family" columns listed here
// (src/requests/erase-*.ts take their values from `erasedValues`), and
// tests/security/personal-data-registry.test.ts fails when prisma/schema.prisma gains a column
// this table does not classify — so a new personal field cannot be forgotten by the erasure.

/** How a family's personal value is destroyed. */
export type Erasure =
  /** Set to NULL. */
  | "null"
  /** Set to the empty string (the column is NOT NULL). */
  | "empty"
  /** Set to an empty JSON object. */
  | "empty-json"
  /** The JSON dialog state is replaced by a fresh one (erase-personal-data.ts, retention-purge.ts). */
  | "reset-state"
  /** The row is short-lived and deleted (technical-retention.ts prunes leftovers). */
  | "delete-row";

export type FieldClass =
  /** A family's personal data: erased on withdrawal and after retention. */
  | { kind: "family"; erase: Erasure; why: string }
  /** A messenger id or similar key: no content, kept (the consent record is evidence). */
  | { kind: "pseudonymous"; why: string }
  /** Data about staff accounts, kept while the account exists. */
  | { kind: "staff" }
  /** Credentials and session material. */
  | { kind: "secret" }
  /** Nothing personal: codes, counts, timestamps, routing data, public center data. */
  | { kind: "none" };

const none: FieldClass = { kind: "none" };
const staff: FieldClass = { kind: "staff" };
const secret: FieldClass = { kind: "secret" };
const pseudo = (why: string): FieldClass => ({ kind: "pseudonymous", why });
const family = (erase: Erasure, why: string): FieldClass => ({ kind: "family", erase, why });
const allNone = (...fields: string[]) => Object.fromEntries(fields.map((f) => [f, none]));

export const PERSONAL_DATA_REGISTRY = {
  Region: allNone("code", "name", "timezone", "plateCodes", "holidays"),
  Municipality: allNone("id", "regionCode", "key", "name", "aliases", "active"),
  // Public contact data of organisations, not of people.
  Center: allNone(
    "id", "key", "regionCode", "municipalityId", "name", "kind", "publicPhone", "address", "website", "hours",
    "is24x7", "active", "isDemo", "notifyTelegramChatId", "notifyMaxChatId", "createdAt", "updatedAt",
  ),
  Queue: allNone("id", "key", "centerId", "name", "isDefault", "isFallback", "active", "createdAt", "updatedAt"),
  RoutingRule: allNone(
    "id", "key", "regionCode", "municipalityId", "categories", "urgency", "flags", "queueId", "priority", "active", "note",
    "createdAt", "updatedAt",
  ),
  Conversation: {
    ...allNone("id", "channel", "locale", "stateVersion", "seq", "isTest", "blockedAt", "lastActivityAt", "createdAt", "updatedAt"),
    chatId: pseudo("messenger chat id: where to answer"),
    userId: pseudo("messenger user id: whose consent"),
    state: family("reset-state", "answers typed in the dialog: description, name, phone"),
    // Message ids of the last keyboard and similar adapter bookkeeping: no content.
    channelData: none,
  },
  ProcessedUpdate: { ...allNone("channel", "processedAt"), updateKey: pseudo("messenger update id") },
  InboundUpdate: {
    ...allNone("channel", "receivedAt", "replays"),
    updateKey: pseudo("messenger update id"),
    chatKey: pseudo("messenger chat id: the chat whose queue the update waits in"),
    payload: family("delete-row", "the raw update, with the message text; deleted once applied"),
  },
  RequestNumberCounter: allNone("regionCode", "last"),
  Request: {
    ...allNone(
      "id", "number", "conversationId", "channel", "isTest", "categories", "urgency", "flags", "answers", "urgencyReasons",
      "regionCode", "municipalityId", "contactMethod", "contactTime", "status", "unreachableCount", "queueId", "assigneeId",
      "ruleId", "routingReason", "routingExplanation", "consentId", "dueAt", "createdAt", "updatedAt", "takenAt",
      "firstContactAt", "closedAt", "outcome", "personalDataErasedAt", "erasureReason",
    ),
    description: family("null", "the situation in the family's words"),
    contactName: family("null", "name"),
    contactPhone: family("null", "phone"),
  },
  // Kept after withdrawal as evidence of what was agreed to (design.md §4).
  ConsentRecord: {
    ...allNone(
      "id", "channel", "decision", "textVersion", "textHash", "operatorName", "purposes", "dataList", "recipients", "term",
      "withdrawalMethod", "givenAt", "withdrawnAt",
    ),
    userId: pseudo("whose consent"),
    sourceUpdateId: pseudo("the update that gave it"),
    withdrawUpdateId: pseudo("the update that withdrew it"),
  },
  TranscriptMessage: {
    ...allNone("id", "conversationId", "requestId", "direction", "authorId", "erasedAt", "createdAt"),
    text: family("empty", "messages of the family and to the family"),
  },
  // Pictures and documents of a request (src/requests/attachments.ts): the whole row is deleted on
  // withdrawal and by the retention purge (erase-request-data.ts).
  RequestAttachment: {
    ...allNone("id", "requestId", "channel", "kind", "status", "mime", "size", "createdAt", "storedAt"),
    sourceRef: family("delete-row", "where the file lies in the messenger until it is downloaded"),
    fileName: family("delete-row", "the file's name as the family gave it"),
    bytes: family("delete-row", "the picture or document itself"),
  },
  StaffUser: {
    ...allNone("id", "role", "regionCode", "locale", "active", "createdAt", "updatedAt"),
    email: staff,
    name: staff,
    telegramUserId: staff,
    maxUserId: staff,
    passwordHash: secret,
  },
  CenterMembership: allNone("userId", "centerId"),
  StaffSession: { sid: secret, data: secret, expiresAt: none },
  Note: {
    ...allNone("id", "requestId", "authorId", "erasedAt", "createdAt"),
    text: family("empty", "operators' notes about the family"),
  },
  AuditLog: {
    ...allNone("id", "at", "actorType", "actorId", "action", "entityType", "regionCode", "requestId", "details"),
    entityId: pseudo("for family actions: channel:userId"),
  },
  Outbox: {
    ...allNone(
      "id", "idempotencyKey", "kind", "channel", "requestId", "status", "attempts", "nextAttemptAt", "lastError", "createdAt",
      "sentAt",
    ),
    target: pseudo("chat id the delivery goes to"),
    payload: family("empty-json", "deliveries to the family quote operators' messages"),
  },
  DestructionLog: { ...allNone("id", "at", "reason", "requestId", "fields", "byWhom"), subject: pseudo("channel:userId") },
  // Ready-made replies a center's operators write for everyone: templates, not about a family.
  CannedReply: allNone("id", "centerId", "title", "text", "createdAt", "updatedAt"),
  // Where polling of a messenger stands (an opaque marker): no content.
  PollCursor: allNone("channel", "position", "updatedAt"),
  // Cluster coordination (src/cluster/): job and poller names, instance ids (host name, process id),
  // times; secretCheck is an HMAC of SESSION_SECRET, never the secret itself.
  Lease: { ...allNone("holder", "token", "expiresAt", "acquiredAt"), name: pseudo("a chat claim's name holds the messenger chat id; deleted when let go") },
  LoginFailure: { ...allNone("failures", "startedAt", "lastAt"), key: pseudo("SHA-256 of a client address and/or staff e-mail; idle rows deleted") },
  SendBucket: { ...allNone("tokens", "at"), key: pseudo("a chat's send budget names the messenger chat id; idle rows deleted") },
  Instance: { ...allNone("id", "startedAt", "heartbeatAt", "schemaVersion"), secretCheck: secret },
  // "Did this help?" answers and their one-time tokens: a center, a day and a number, no link to a family.
  HelpRating: allNone("id", "regionCode", "centerId", "day", "rating"),
  HelpRatingToken: allNone("token", "regionCode", "centerId", "expiresAt"),
  // Statistics summary per region and day (stats-rollup.ts): counts, queue and staff ids only.
  RequestDailyStat: allNone("regionCode", "day", "urgency", "queueId", "status", "n", "kept", "lateContact", "overdue", "promisedMinutes"),
  RequestDailyCategory: allNone("regionCode", "day", "category", "n"),
  RequestDailyContact: allNone("regionCode", "day", "urgency", "minutes", "n"),
  RequestDailyOperator: allNone("regionCode", "day", "assigneeId", "n", "open", "contacted"),
  RequestDailyState: allNone("regionCode", "day", "computedAt", "pendingUntil"),
  RequestWeeklyStat: allNone("regionCode", "week", "urgency", "queueId", "status", "n", "kept", "lateContact", "overdue", "promisedMinutes"),
  RequestWeeklyContact: allNone("regionCode", "week", "urgency", "minutes", "n"),
  RequestWeeklyOperator: allNone("regionCode", "week", "assigneeId", "n", "open", "contacted"),
  RequestStatsWatermark: allNone("regionCode", "offsetMinutes", "seenUpdatedAt"),
  LinkCode: allNone("code", "purpose", "channel", "chatId", "staffUserId", "expiresAt", "usedAt", "createdAt"),
} satisfies Record<string, Record<string, FieldClass>>;

export type RegisteredModel = keyof typeof PERSONAL_DATA_REGISTRY;

/** The family's personal columns of a model. */
export function familyFields(model: RegisteredModel): { field: string; erase: Erasure }[] {
  return Object.entries(PERSONAL_DATA_REGISTRY[model] as Record<string, FieldClass>).flatMap(([field, c]) =>
    c.kind === "family" ? [{ field, erase: c.erase }] : [],
  );
}

/**
 * The `data` of an updateMany that destroys every family column of a model that is erased in place
 * (null / empty / empty JSON). Columns erased otherwise (state reset, row deletion) are left out.
 */
export function erasedValues(model: RegisteredModel): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const { field, erase } of familyFields(model)) {
    if (erase === "null") out[field] = null;
    else if (erase === "empty") out[field] = "";
    else if (erase === "empty-json") out[field] = "{}";
  }
  return out;
}
