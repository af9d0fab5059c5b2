// Pure rendering of dialog `Reply`s into Telegram messages (text + reply_markup).
// Telegram constraints handled here: 4096-char texts, 64-byte callback data, and the fact that a
// message carries either an inline keyboard or a reply keyboard (or its removal), never both.
import type { InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from "grammy/types";
import type { Reply, ReplyOption } from "../../dialog/service-types.ts";
import { CALLBACK_DATA_LIMIT, type ReplyKeyboardOption, TELEGRAM_TEXT_LIMIT } from "./translate-update.ts";

export interface OutboundMessage {
  text: string;
  markup?:
    | { type: "inline"; value: InlineKeyboardMarkup }
    | { type: "contact"; value: ReplyKeyboardMarkup; options: ReplyKeyboardOption[] }
    | { type: "remove"; value: ReplyKeyboardRemove };
}

/** What the channel remembers about the reply keyboard of a chat between updates. */
export interface ReplyKeyboardState {
  /** A reply keyboard (phone step) is shown; its option buttons map label → token. */
  replyOptions?: ReplyKeyboardOption[];
  /** A removal left over from an older version of this adapter; done with the next message. */
  removePending?: boolean;
}

export interface RenderResult {
  messages: OutboundMessage[];
  /** Reply-keyboard state after these messages are sent. */
  keyboard: ReplyKeyboardState;
  /** Option tokens dropped because they break Telegram's callback-data limit (a service bug). */
  droppedTokens: number;
  /** Replies left out because their text is empty or blank (Telegram refuses them; a service bug). */
  emptyReplies: number;
}

export function isValidCallbackData(token: string): boolean {
  return token.length > 0 && Buffer.byteLength(token, "utf8") <= CALLBACK_DATA_LIMIT;
}

export interface RenderTexts {
  /** Label of the request_contact button when the reply has none. */
  shareLabel: string;
  /** Short line that carries a keyboard removal when no plain message is there to carry it. */
  keyboardClosed: string;
}

export function renderReplies(replies: readonly Reply[], before: ReplyKeyboardState, texts: RenderTexts): RenderResult {
  const messages: OutboundMessage[] = [];
  let keyboard: ReplyKeyboardState = { ...(before.replyOptions ? { replyOptions: before.replyOptions } : {}) };
  let removePending = before.removePending === true;
  let droppedTokens = 0;
  let emptyReplies = 0;
  const removal = { type: "remove", value: { remove_keyboard: true } } as const;

  const inlineRows = (rows: readonly ReplyOption[][] | undefined): InlineKeyboardButton[][] => {
    const out: InlineKeyboardButton[][] = [];
    for (const row of rows ?? []) {
      const buttons: InlineKeyboardButton[] = [];
      for (const o of row) {
        if (isValidCallbackData(o.token)) buttons.push({ text: o.label, callback_data: o.token });
        else droppedTokens += 1; // the text still works (design §2.5): the person can type the answer
      }
      if (buttons.length > 0) out.push(buttons);
    }
    return out;
  };

  const emit = (message: OutboundMessage) => {
    if (removePending) {
      if (!message.markup) message.markup = removal;
      // A message carries one markup: an inline keyboard cannot also remove the reply keyboard,
      // so a short line goes first with the removal (typically right after the phone step).
      else if (message.markup.type === "inline") messages.push({ text: texts.keyboardClosed, markup: removal });
      // A new reply keyboard simply replaces the old one.
      removePending = false;
    }
    messages.push(message);
  };

  for (const reply of replies) {
    if (reply.type === "removeKeyboard") {
      // Removing a keyboard that is not shown is harmless, so no need to know whether it is.
      removePending = true;
      keyboard = {};
      continue;
    }
    const chunks = splitText(reply.text);
    if (chunks.length === 0) {
      emptyReplies += 1;
      continue;
    }
    const last = chunks.length - 1;
    chunks.forEach((text, i) => {
      const message: OutboundMessage = { text };
      if (i === last && reply.type === "text") {
        const rows = inlineRows(reply.options);
        if (reply.link) rows.push([{ text: reply.link.label, url: reply.link.url }]);
        if (rows.length > 0) message.markup = { type: "inline", value: { inline_keyboard: rows } };
      }
      if (i === last && reply.type === "requestContact") {
        const options = (reply.options ?? []).flat().map((o) => ({ label: o.label, token: o.token }));
        message.markup = {
          type: "contact",
          options,
          value: {
            keyboard: [
              [{ text: reply.shareLabel || texts.shareLabel, request_contact: true }],
              ...(reply.options ?? []).map((row) => row.map((o) => ({ text: o.label }))),
            ],
            one_time_keyboard: true,
            resize_keyboard: true,
          },
        };
        keyboard = { replyOptions: options };
      }
      emit(message);
    });
  }
  if (removePending) messages.push({ text: texts.keyboardClosed, markup: removal });
  return { messages, keyboard, droppedTokens, emptyReplies };
}

/**
 * Splits a text into pieces of at most `limit` UTF-16 units, preferring line boundaries, then
 * spaces, and never cutting a surrogate pair. An empty or blank text gives no piece: it is never
 * sent (Telegram refuses it, "message text is empty").
 */
export function splitText(text: string, limit: number = TELEGRAM_TEXT_LIMIT): string[] {
  if (text.trim().length === 0) return [];
  if (text.length <= limit) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    let cut = window.lastIndexOf("\n");
    if (cut <= 0) cut = window.lastIndexOf(" ");
    if (cut <= 0) {
      cut = limit;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // keep the surrogate pair together
    }
    const piece = rest.slice(0, cut).replace(/\s+$/, "");
    if (piece.length > 0) pieces.push(piece);
    rest = rest.slice(cut).replace(/^\n+/, "");
    if (rest.startsWith(" ")) rest = rest.slice(1);
  }
  if (rest.trim().length > 0) pieces.push(rest);
  return pieces;
}
