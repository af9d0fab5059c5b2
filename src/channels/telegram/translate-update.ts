// Pure translation of one Telegram update into what the channel should do with it.
// No grammY runtime, no I/O: easy to test with hand-written updates, including hostile ones.
import type { Message, Update } from "grammy/types";
import { z } from "zod";
import type { CommandName, InboundEvent } from "../../dialog/service-types.ts";
import { telegramFileOf } from "../inbound-files.ts";

/** Telegram's own limits (design.md §6). */
export const TELEGRAM_TEXT_LIMIT = 4096;
export const CALLBACK_DATA_LIMIT = 64;
export const START_PAYLOAD_LIMIT = 64;
/** Parts of a split long text the channel joins at most (see split-joiner.ts). */
const MAX_PARTS = 4;

/** Callback data the service produced: an opaque ASCII token of at most 64 bytes. */
export const callbackTokenSchema = z
  .string()
  .min(1)
  .max(CALLBACK_DATA_LIMIT)
  .regex(/^[\x21-\x7e]+$/);

/** Deep-link payloads Telegram allows: A-Z a-z 0-9 _ - (≤ 64). */
const startPayloadSchema = z
  .string()
  .min(1)
  .max(START_PAYLOAD_LIMIT)
  .regex(/^[A-Za-z0-9_-]+$/);

/** Reply-keyboard buttons shown with the phone step: pressing one sends its label as text. */
export interface ReplyKeyboardOption {
  label: string;
  token: string;
}

export interface PrivateSource {
  chatId: string;
  userId: string;
  updateKey: string;
  locale?: string;
  /** The person's message (not set for presses): remembered so a quick exit can delete it. */
  messageId?: number;
  /** Its date (unix seconds): Telegram lets a bot delete it for 48 hours. */
  date?: number;
}

/** Callback data of the quick-exit prompt (`/hide`): the channel's own, never the dialog's. */
export const HIDE_CONFIRM = "hide:go";
export const HIDE_CANCEL = "hide:no";

export type TranslatedUpdate =
  /** Something for the dialog service. */
  | {
      type: "event";
      source: PrivateSource;
      event: InboundEvent;
      /** Present for button presses: answer it, and the pressed message's buttons are removed. */
      callback?: { id: string; messageId: number; messageText?: string };
    }
  /** A callback query that must be answered with a short notice and nothing else. */
  | { type: "rejectCallback"; callbackId: string; reason: "invalid_data" | "foreign_chat" | "no_message"; locale?: string }
  /** Anything in a group, supergroup or channel-linked chat (operators' chats come later). */
  | {
      type: "group";
      chatId: string;
      locale?: string;
      callbackId?: string;
      /** Who acted and what: operators' chats link with /link and take requests with a button. */
      fromId?: string;
      text?: string;
      callbackData?: string;
    }
  /** "/link CODE" in a private chat: an operator links this Telegram account to their web account. */
  | { type: "staffLink"; chatId: string; userId: string; code: string; locale?: string }
  /** The person blocked (`kicked`) or unblocked (`member`) the bot in the private chat. */
  | { type: "membership"; chatId: string; blocked: boolean }
  /**
   * Quick exit for a shared phone: `/hide` asks (saying what cannot be deleted), the prompt's
   * button deletes the chat's recent messages and leaves one neutral line. The dialog never sees it.
   */
  | { type: "hide"; stage: "ask" | "confirm" | "cancel"; source: PrivateSource; callback?: { id: string; messageId: number } }
  | { type: "ignore"; reason: string };

const KNOWN_COMMANDS: ReadonlySet<string> = new Set<CommandName>(["help", "status", "revoke", "lang", "back", "cancel"]);

/** Message fields that make a message "non-text"; the first present one names the kind. */
const MEDIA_KINDS = [
  "photo",
  "voice",
  "video",
  "video_note",
  "sticker",
  "document",
  "location",
  "venue",
  "animation",
  "audio",
  "poll",
  "dice",
  "game",
  "story",
  "invoice",
  "paid_media",
  "checklist",
] as const;

export interface TranslateOptions {
  /** The bot's username, to accept `/cmd@thisbot` and ignore commands addressed to other bots. */
  botUsername?: string;
}

/** A typed text equal to a reply-keyboard button of the phone step is that option's press. */
export function matchReplyOption(text: string, options: readonly ReplyKeyboardOption[] | undefined): ReplyKeyboardOption | undefined {
  const trimmed = text.trim();
  return options?.find((o) => o.label === trimmed);
}

/** Which chat an update belongs to, for per-chat ordering; undefined for chat-less updates. */
export function chatKeyOf(update: Update): string | undefined {
  const chat =
    update.message?.chat ??
    update.edited_message?.chat ??
    update.channel_post?.chat ??
    update.edited_channel_post?.chat ??
    update.callback_query?.message?.chat ??
    update.my_chat_member?.chat ??
    update.chat_member?.chat;
  if (chat) return String(chat.id);
  const from = update.callback_query?.from;
  return from ? String(from.id) : undefined;
}

export function translateUpdate(update: Update, options: TranslateOptions = {}): TranslatedUpdate {
  const updateKey = String(update.update_id);
  if (update.message) return translateMessage(update.message, updateKey, options);

  const cq = update.callback_query;
  if (cq) {
    const locale = cq.from.language_code;
    const msg = cq.message;
    if (!msg) return { type: "rejectCallback", callbackId: cq.id, reason: "no_message", locale };
    if (msg.chat.type !== "private") {
      return { type: "group", chatId: String(msg.chat.id), locale, callbackId: cq.id, fromId: String(cq.from.id), callbackData: cq.data };
    }
    // In a private chat the chat id equals the user id; anything else is forged or misrouted.
    if (msg.chat.id !== cq.from.id) return { type: "rejectCallback", callbackId: cq.id, reason: "foreign_chat", locale };
    if (cq.data === HIDE_CONFIRM || cq.data === HIDE_CANCEL) {
      return {
        type: "hide",
        stage: cq.data === HIDE_CONFIRM ? "confirm" : "cancel",
        source: { chatId: String(msg.chat.id), userId: String(cq.from.id), updateKey, locale },
        callback: { id: cq.id, messageId: msg.message_id },
      };
    }
    const token = callbackTokenSchema.safeParse(cq.data);
    if (!token.success) return { type: "rejectCallback", callbackId: cq.id, reason: "invalid_data", locale };
    return {
      type: "event",
      source: { chatId: String(msg.chat.id), userId: String(cq.from.id), updateKey, locale },
      event: { type: "option", token: token.data },
      callback: { id: cq.id, messageId: msg.message_id, ...("text" in msg && typeof msg.text === "string" ? { messageText: msg.text } : {}) },
    };
  }

  const member = update.my_chat_member;
  if (member && member.chat.type === "private") {
    const status = member.new_chat_member.status;
    if (status === "kicked") return { type: "membership", chatId: String(member.chat.id), blocked: true };
    if (status === "member") return { type: "membership", chatId: String(member.chat.id), blocked: false };
    return { type: "ignore", reason: "my_chat_member" };
  }

  if (update.edited_message) return translateEdit(update.edited_message, updateKey);
  if (update.channel_post || update.edited_channel_post) return { type: "ignore", reason: "channel_post" };
  const kind = Object.keys(update).find((k) => k !== "update_id") ?? "empty";
  return { type: "ignore", reason: `update:${kind}` };
}

function translateMessage(msg: Message, updateKey: string, options: TranslateOptions): TranslatedUpdate {
  const locale = msg.from?.language_code;
  if (msg.chat.type !== "private") {
    return {
      type: "group",
      chatId: String(msg.chat.id),
      locale,
      ...(msg.from ? { fromId: String(msg.from.id) } : {}),
      ...(typeof msg.text === "string" ? { text: msg.text.slice(0, 200) } : {}),
    };
  }
  // Private messages always have a sender; without one there is nobody to answer.
  if (!msg.from || msg.from.is_bot) return { type: "ignore", reason: "no_human_sender" };
  const staffLink = typeof msg.text === "string" ? /^\/link(?:@\w+)?\s+([A-Za-z0-9 -]{4,20})\s*$/i.exec(msg.text.trim()) : null;
  if (staffLink?.[1]) {
    return { type: "staffLink", chatId: String(msg.chat.id), userId: String(msg.from.id), code: staffLink[1], locale };
  }
  const source: PrivateSource = { chatId: String(msg.chat.id), userId: String(msg.from.id), updateKey, locale, messageId: msg.message_id, date: msg.date };
  const event = (e: InboundEvent): TranslatedUpdate => ({ type: "event", source, event: e });
  if (typeof msg.text === "string" && isHideCommand(msg.text, options.botUsername)) return { type: "hide", stage: "ask", source };

  if (msg.contact) {
    // Trusted as the family's own phone only when Telegram says it is the sender's contact.
    const own = msg.contact.user_id !== undefined && msg.contact.user_id === msg.from.id;
    return event({ type: "contact", phone: msg.contact.phone_number, own });
  }

  if (typeof msg.text === "string") {
    // Forwarded texts are treated as typed text: a parent may forward what describes the situation.
    // A long text Telegram split into parts arrives joined (split-joiner.ts): 4096 per part.
    const parts = Math.min(Math.max(Number((msg as { opora_parts?: unknown }).opora_parts) || 1, 1), MAX_PARTS);
    const limit = TELEGRAM_TEXT_LIMIT * parts;
    const text = msg.text.length > limit ? msg.text.slice(0, limit) : msg.text;
    const command = parseCommand(text, options.botUsername);
    if (command) return event(command);
    if (command === null) return { type: "ignore", reason: "command_for_other_bot" };
    return event({ type: "text", text });
  }

  for (const kind of MEDIA_KINDS) {
    if (kind in msg) {
      // The caption is the family's words: it is screened for danger.
      const caption = typeof msg.caption === "string" && msg.caption.trim() !== "" ? msg.caption.slice(0, TELEGRAM_TEXT_LIMIT) : undefined;
      // A photo or document may be kept with an open request (src/dialog/sent-files.ts).
      const file = telegramFileOf(msg);
      return event({ type: "unsupported", kind, ...(caption ? { caption } : {}), ...(file ? { file } : {}) });
    }
  }
  // Service messages (pinned, new members…) cannot reach a private chat meaningfully.
  return { type: "ignore", reason: "service_message" };
}

/**
 * An edited private message (its new text or caption) becomes an "edited" event, screened for
 * danger like any text. Edits in groups, by bots, of commands or without text are ignored.
 */
function translateEdit(msg: Message, updateKey: string): TranslatedUpdate {
  if (msg.chat.type !== "private") return { type: "ignore", reason: "edited_message_group" };
  if (!msg.from || msg.from.is_bot) return { type: "ignore", reason: "no_human_sender" };
  const raw = typeof msg.text === "string" ? msg.text : typeof msg.caption === "string" ? msg.caption : "";
  if (raw.trim() === "") return { type: "ignore", reason: "edited_message_empty" };
  // Editing "/start" into something else must not run a command a second time.
  if (raw.trim().startsWith("/")) return { type: "ignore", reason: "edited_command" };
  return {
    type: "event",
    // The edited message's own id: the dialog takes an edit of the last answer as the new answer.
    source: { chatId: String(msg.chat.id), userId: String(msg.from.id), updateKey, locale: msg.from.language_code, messageId: msg.message_id },
    event: { type: "edited", text: raw.slice(0, TELEGRAM_TEXT_LIMIT) },
  };
}

/** `/hide` (or `/hide@thisbot`): the quick exit, handled by the channel itself. */
function isHideCommand(text: string, botUsername?: string): boolean {
  const m = /^\/hide(?:@([A-Za-z0-9_]+))?\s*$/i.exec(text.trim());
  if (!m) return false;
  return !m[1] || !botUsername || m[1].toLowerCase() === botUsername.toLowerCase();
}

/**
 * `/start payload`, `/help`… → an event; undefined when the text is not a command; null when the
 * command is addressed to another bot. Unknown commands show help rather than becoming free text,
 * so "/something" never lands in a request's description.
 */
export function parseCommand(text: string, botUsername?: string): InboundEvent | null | undefined {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, rawName = "", mention, rawArg] = m;
  if (mention && botUsername && mention.toLowerCase() !== botUsername.toLowerCase()) return null;
  const name = rawName.toLowerCase();
  const arg = rawArg?.trim() || undefined;
  if (name === "start") {
    const payload = startPayloadSchema.safeParse(arg);
    return payload.success ? { type: "start", payload: payload.data } : { type: "start" };
  }
  if (KNOWN_COMMANDS.has(name)) {
    const command = name as CommandName;
    return arg ? { type: "command", name: command, arg: arg.slice(0, 64) } : { type: "command", name: command };
  }
  return { type: "command", name: "help" };
}
