// Translates raw MAX updates into dialog events. Only the fields we rely on are validated (zod,
// passthrough for the rest), so new fields in the platform never break parsing.
import { z } from "zod";
import type { CommandName, InboundEvent } from "../../dialog/service-types.ts";
import { parseVcardPhones } from "./vcard.ts";
import { maxFileOf } from "../inbound-files.ts";

const userSchema = z.looseObject({ user_id: z.number(), is_bot: z.boolean().optional() });

const attachmentSchema = z.looseObject({ type: z.string(), payload: z.unknown().optional() });

const contactPayloadSchema = z.looseObject({
  vcf_info: z.string().nullish(),
  max_info: z.looseObject({ user_id: z.number() }).nullish(),
});

const messageSchema = z.looseObject({
  sender: userSchema.nullish(),
  recipient: z.looseObject({
    chat_id: z.number().nullish(),
    chat_type: z.string().nullish(),
    user_id: z.number().nullish(),
  }),
  timestamp: z.number().optional(),
  body: z.looseObject({
    mid: z.string(),
    text: z.string().nullish(),
    attachments: z.array(attachmentSchema).nullish(),
  }),
});

export const maxUpdateSchema = z.discriminatedUnion("update_type", [
  z.looseObject({
    update_type: z.literal("message_created"),
    timestamp: z.number(),
    message: messageSchema,
    user_locale: z.string().nullish(),
  }),
  // A message the person edited: `message` holds the new text (issue 11: every free text is screened).
  z.looseObject({
    update_type: z.literal("message_edited"),
    timestamp: z.number(),
    message: messageSchema,
    user_locale: z.string().nullish(),
  }),
  z.looseObject({
    update_type: z.literal("message_callback"),
    timestamp: z.number(),
    callback: z.looseObject({
      callback_id: z.string(),
      payload: z.string().nullish(),
      user: userSchema,
    }),
    message: messageSchema.nullish(),
    user_locale: z.string().nullish(),
  }),
  z.looseObject({
    update_type: z.literal("bot_started"),
    timestamp: z.number(),
    chat_id: z.number(),
    user: userSchema,
    payload: z.string().nullish(),
    user_locale: z.string().nullish(),
  }),
  z.looseObject({
    update_type: z.literal("bot_stopped"),
    timestamp: z.number(),
    chat_id: z.number(),
    user: userSchema,
  }),
]);
export type MaxUpdate = z.infer<typeof maxUpdateSchema>;

/** Channel-owned button payloads (menu); everything else is a dialog option token. */
export const MENU_PAYLOAD_PREFIX = "max:menu:";
/** The quick-exit prompt's buttons (`/hide`): the channel's own, never the dialog's. */
export const HIDE_CONFIRM = "max:hide:go";
export const HIDE_CANCEL = "max:hide:no";

export type TranslatedUpdate =
  | {
      type: "event";
      chatId: string;
      userId: string;
      updateKey: string;
      locale?: string;
      event: InboundEvent;
      /** The person's message this is or edits (body.mid): an edit of the last answer is a new answer. */
      messageId?: string;
      /** Set for message_callback: the callback must always be answered. */
      callback?: { id: string; messageMid?: string; messageText?: string };
    }
  /** The person asked for the channel's own menu (/menu): no dialog state involved. */
  | { type: "menu"; chatId: string; userId: string; locale?: string; callback?: { id: string } }
  | { type: "stopped"; chatId: string; userId: string }
  /**
   * Quick exit for a shared phone: `/hide` or the menu's «Скрыть переписку» asks (saying what stays),
   * the prompt's button deletes the bot's messages and leaves one neutral line. The dialog never sees it.
   */
  | {
      type: "hide";
      stage: "ask" | "confirm" | "cancel";
      chatId: string;
      userId: string;
      locale?: string;
      callback?: { id: string; messageMid?: string };
    }
  /** Operators' chats: "/link" in a group asks for a one-time code to link the chat to a center. */
  | { type: "groupLink"; chatId: string }
  /** "Take" pressed under a notice in an operators' chat. */
  | { type: "groupTake"; callbackId: string; userId: string; requestNumber: string; chatId: string; userName: string }
  /** "/link CODE" in a private dialog: an operator links this MAX account to their web account. */
  | { type: "staffLink"; chatId: string; userId: string; code: string; locale?: string }
  /** A callback we cannot map to a chat: still answered. */
  | { type: "ignored"; reason: string; callbackId?: string; chatId?: string };

const COMMANDS: readonly CommandName[] = ["start", "help", "status", "revoke", "lang", "back", "cancel"];

/** Media kinds we refuse to store; contact and keyboards are handled separately. */
const IGNORED_ATTACHMENTS = new Set(["inline_keyboard"]);

/** Parses "/cmd@bot arg" into a dialog command, "/menu" into the channel menu, else plain text. */
export function parseTextInput(text: string): { type: "menu" } | { type: "hide" } | { type: "event"; event: InboundEvent } {
  const trimmed = text.trim();
  const m = /^\/([a-zA-Z_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (m?.[1]) {
    const name = m[1].toLowerCase();
    const arg = m[2]?.trim() || undefined;
    if (name === "menu") return { type: "menu" };
    if (name === "hide" && !arg) return { type: "hide" };
    if ((COMMANDS as readonly string[]).includes(name)) {
      return {
        type: "event",
        event: { type: "command", name: name as CommandName, ...(arg ? { arg } : {}) },
      };
    }
  }
  return { type: "event", event: { type: "text", text } };
}

/** Reads a contact attachment: the phone only lives in the vCard text. */
function contactEvent(payload: unknown, senderId: number | undefined): InboundEvent {
  const parsed = contactPayloadSchema.safeParse(payload);
  if (!parsed.success) return { type: "unsupported", kind: "contact" };
  const phones = parseVcardPhones(parsed.data.vcf_info ?? "");
  const phone = phones[0];
  if (!phone) return { type: "unsupported", kind: "contact" };
  // Trust the number as the family's own only when MAX says the card is the sender's.
  const own = senderId !== undefined && parsed.data.max_info?.user_id === senderId;
  return { type: "contact", phone, own };
}

const locale = (value: string | null | undefined) => (value ? { locale: value } : {});

export function translateUpdate(raw: unknown): TranslatedUpdate {
  const parsed = maxUpdateSchema.safeParse(raw);
  if (!parsed.success) {
    const type =
      typeof raw === "object" && raw !== null ? String((raw as { update_type?: unknown }).update_type) : "?";
    return { type: "ignored", reason: `unsupported_update:${type}` };
  }
  const u = parsed.data;
  switch (u.update_type) {
    case "bot_started":
      return {
        type: "event",
        chatId: String(u.chat_id),
        userId: String(u.user.user_id),
        updateKey: `start:${u.chat_id}:${u.timestamp}`,
        ...locale(u.user_locale),
        event: u.payload ? { type: "start", payload: u.payload } : { type: "start" },
      };
    case "bot_stopped":
      return { type: "stopped", chatId: String(u.chat_id), userId: String(u.user.user_id) };
    case "message_callback": {
      const chatId = u.message?.recipient.chat_id;
      const callback = {
        id: u.callback.callback_id,
        ...(u.message ? { messageMid: u.message.body.mid } : {}),
        ...(u.message?.body.text ? { messageText: u.message.body.text } : {}),
      };
      if (chatId === null || chatId === undefined) {
        return { type: "ignored", reason: "callback_without_chat", callbackId: callback.id };
      }
      const payload = u.callback.payload ?? "";
      if (payload.startsWith("take:")) {
        return {
          type: "groupTake",
          callbackId: callback.id,
          userId: String(u.callback.user.user_id),
          requestNumber: payload.slice(5, 40),
          // The operators' chat: the result is also posted there (a toast may not show).
          chatId: String(chatId),
          userName: String(u.callback.user.name ?? u.callback.user.first_name ?? "").slice(0, 64),
        };
      }
      const base = {
        chatId: String(chatId),
        userId: String(u.callback.user.user_id),
        ...locale(u.user_locale),
      };
      if (payload === `${MENU_PAYLOAD_PREFIX}menu`) return { type: "menu", ...base, callback };
      if (payload === `${MENU_PAYLOAD_PREFIX}hide`) return { type: "hide", stage: "ask", ...base, callback };
      if (payload === HIDE_CONFIRM || payload === HIDE_CANCEL) {
        return { type: "hide", stage: payload === HIDE_CONFIRM ? "confirm" : "cancel", ...base, callback };
      }
      if (payload.startsWith(MENU_PAYLOAD_PREFIX)) {
        const name = payload.slice(MENU_PAYLOAD_PREFIX.length);
        if ((COMMANDS as readonly string[]).includes(name)) {
          return {
            type: "event",
            ...base,
            updateKey: `cb:${callback.id}`,
            event: { type: "command", name: name as CommandName },
            callback,
          };
        }
      }
      if (!payload) return { type: "ignored", reason: "callback_without_payload", callbackId: callback.id };
      return {
        type: "event",
        ...base,
        updateKey: `cb:${callback.id}`,
        event: { type: "option", token: payload },
        callback,
      };
    }
    case "message_edited": {
      const msg = u.message;
      if (!msg.sender || msg.sender.is_bot) return { type: "ignored", reason: "from_bot" };
      if (msg.recipient.chat_type && msg.recipient.chat_type !== "dialog") return { type: "ignored", reason: "not_dialog" };
      const chatId = msg.recipient.chat_id;
      if (chatId === null || chatId === undefined) return { type: "ignored", reason: "message_without_chat" };
      const text = msg.body.text ?? "";
      if (!text.trim()) return { type: "ignored", reason: "edited_empty" };
      // Editing a command into something else must not run it again.
      if (text.trim().startsWith("/")) return { type: "ignored", reason: "edited_command" };
      return {
        type: "event",
        chatId: String(chatId),
        userId: String(msg.sender.user_id),
        ...locale(u.user_locale),
        // One message may be edited several times: each edit is its own update.
        updateKey: `edit:${msg.body.mid}:${u.timestamp}`,
        messageId: msg.body.mid,
        event: { type: "edited", text },
      };
    }
    case "message_created": {
      const msg = u.message;
      const sender = msg.sender;
      if (!sender || sender.is_bot) return { type: "ignored", reason: "from_bot" };
      // Only private dialogs are conversations; in group chats (operators' chats) only /link is heard.
      if (msg.recipient.chat_type && msg.recipient.chat_type !== "dialog") {
        const groupId = msg.recipient.chat_id;
        if (groupId !== null && groupId !== undefined && /^\/link(?:@\S+)?\s*$/i.test(msg.body.text ?? "")) {
          return { type: "groupLink", chatId: String(groupId) };
        }
        return { type: "ignored", reason: "not_dialog" };
      }
      const chatId = msg.recipient.chat_id;
      if (chatId === null || chatId === undefined) return { type: "ignored", reason: "message_without_chat" };
      const base = {
        chatId: String(chatId),
        userId: String(sender.user_id),
        ...locale(u.user_locale),
      };
      const updateKey = `mid:${msg.body.mid}`;
      const staffLink = /^\/link(?:@\S+)?\s+([A-Za-z0-9 -]{4,20})\s*$/i.exec((msg.body.text ?? "").trim());
      if (staffLink?.[1]) return { type: "staffLink", ...base, code: staffLink[1] };
      const attachments = (msg.body.attachments ?? []).filter((a) => !IGNORED_ATTACHMENTS.has(a.type));
      const contact = attachments.find((a) => a.type === "contact");
      if (contact)
        return { type: "event", ...base, updateKey, event: contactEvent(contact.payload, sender.user_id) };
      const media = attachments[0];
      if (media) {
        // Text sent with it is the family's words and is screened for danger.
        const caption = msg.body.text?.trim() ? msg.body.text : undefined;
        // An image or file may be kept with an open request (src/dialog/sent-files.ts).
        const file = maxFileOf(media);
        return { type: "event", ...base, updateKey, event: { type: "unsupported", kind: media.type, ...(caption ? { caption } : {}), ...(file ? { file } : {}) } };
      }
      const text = msg.body.text ?? "";
      if (!text.trim())
        return { type: "event", ...base, updateKey, event: { type: "unsupported", kind: "empty" } };
      const input = parseTextInput(text);
      if (input.type === "menu") return { type: "menu", ...base };
      if (input.type === "hide") return { type: "hide", stage: "ask", ...base };
      return { type: "event", ...base, updateKey, messageId: msg.body.mid, event: input.event };
    }
  }
}
