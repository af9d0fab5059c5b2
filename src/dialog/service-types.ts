// The contract between channel adapters (Telegram, MAX, console, web) and the dialog service.
// Channels translate their updates into `InboundEvent`s and render `Reply`s; nothing else.

export type ChannelName = "telegram" | "max" | "console" | "web";

export type CommandName = "start" | "help" | "status" | "revoke" | "lang" | "back" | "cancel";

export type InboundEvent =
  /** First contact or /start; payload is a deep-link payload such as a region code ("63") or "c-<centerKey>". */
  | { type: "start"; payload?: string }
  | { type: "text"; text: string }
  /** A button press: `token` is exactly the `token` of a ReplyOption the service produced earlier. */
  | { type: "option"; token: string }
  /** A shared contact; `own` is true only when the messenger says the contact is the sender's own. */
  | { type: "contact"; phone: string; own: boolean }
  | { type: "command"; name: CommandName; arg?: string }
  /** The person edited a message they sent earlier; `text` is the new text (or caption). */
  | { type: "edited"; text: string }
  /**
   * Media, stickers, locations…: nothing from the media is stored, except a photo or document (`file`)
   * sent after the request, kept with it (src/dialog/sent-files.ts). `caption` is the text sent with a
   * photo, video or document: it is screened for danger like any typed text (design.md §3).
   */
  | { type: "unsupported"; kind: string; caption?: string; file?: InboundFile };

/**
 * A picture or document as the messenger announced it (nothing downloaded yet): kept with the
 * family's open request only (src/requests/attachments.ts). `ref` is the Telegram file_id or the
 * MAX file URL; `size` in bytes when the messenger says it.
 */
export interface InboundFile {
  kind: string;
  ref: string;
  fileName?: string;
  mime?: string;
  size?: number;
}

export interface ReplyOption {
  label: string;
  /** Opaque, ≤ 64 bytes, ASCII: carries the step sequence number so stale presses are recognised. */
  token: string;
}

export type Reply =
  /** Text with optional inline buttons (rows of options) and an optional link button. */
  | { type: "text"; text: string; options?: ReplyOption[][]; link?: { label: string; url: string } }
  /** Ask for the phone: channels show a "share my number" button (request_contact) plus `options`. */
  | { type: "requestContact"; text: string; shareLabel: string; options?: ReplyOption[][] }
  /** Remove any reply keyboard (Telegram) after the contact step. */
  | { type: "removeKeyboard" };

export interface InboundContext {
  channel: ChannelName;
  /** Chat id in the channel (private chat with the person). */
  chatId: string;
  /** The person's user id in the channel. */
  userId: string;
  /** Stable id of this update for at-most-once processing (Telegram update_id, MAX mid/callback_id). */
  updateKey: string;
  /** Language hint from the messenger (Telegram language_code, MAX user_locale). */
  locale?: string;
  /**
   * The messenger's id of the person's message (a text, or the message an edit changed): an edit of
   * the last typed answer counts as the new answer (issue 12.5).
   */
  messageId?: string;
  /** Test conversations (web "try the dialog") create requests marked as test. */
  isTest?: boolean;
  /**
   * Messengers: the step's replies go to the outbox and the update's inbound-journal rows are
   * deleted, both in the step's transaction (src/outbox/reply-delivery.ts). `meta`: what the channel
   * needs to send them (stored with them); `queued`: earlier replies of the chat are still undelivered,
   * so these wait behind them (the outbox worker sends them in order) instead of going out at once.
   */
  delivery?: { journalKeys: string[]; meta?: unknown; queued?: boolean };
}

export type HandleResult =
  /** `locale`: the conversation's language after this update (/lang may have changed it). */
  /** `aside`: the update answered something beside the dialog (a "did this help?" press): the open
   *  question is not answered by it and keeps its buttons. */
  /**
   * `deliveryId`: the outbox row holding the replies (with `delivery`; the journal rows are gone
   * too); `urgent`: P0 / emergency; `failed`: the step could not be applied, its journal rows stay
   * for a later retry (the replies only say so). `resting`: the dialog reached a resting step (the
   * request was sent, the dialog ended): a channel may forget what it keeps in memory for the chat.
   */
  | { type: "handled"; replies: Reply[]; locale?: string; aside?: true; deliveryId?: number; urgent?: boolean; failed?: true; resting?: true }
  /** The update was already applied earlier: the channel sends nothing. */
  | { type: "duplicate" };

export interface DialogService {
  handle(ctx: InboundContext, event: InboundEvent): Promise<HandleResult>;
}
