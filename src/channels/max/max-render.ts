// Renders dialog replies as MAX messages within the platform's limits: text ≤ 4000 characters,
// inline keyboards ≤ 30 rows, ≤ 7 buttons a row (≤ 3 when the row holds a link or contact
// button), callback payload ≤ 1024 characters.
import type { Reply, ReplyOption } from "../../dialog/service-types.ts";

export const MAX_TEXT_LENGTH = 4000;
export const MAX_ROWS = 30;
export const MAX_BUTTONS_PER_ROW = 7;
export const MAX_BUTTONS_PER_SPECIAL_ROW = 3;
export const MAX_PAYLOAD_LENGTH = 1024;
/** MAX rejects long button labels; keep them short and readable. */
const MAX_LABEL_LENGTH = 128;

export type MaxButton =
  | { type: "callback"; text: string; payload: string }
  | { type: "link"; text: string; url: string }
  | { type: "request_contact"; text: string };

export interface MaxKeyboardAttachment {
  type: "inline_keyboard";
  payload: { buttons: MaxButton[][] };
}

export interface OutboundMessage {
  text: string;
  attachments: MaxKeyboardAttachment[];
}

export interface RenderOptions {
  /** A row appended to the keyboard of the last message (help / withdrawal menu). */
  menuRow?: MaxButton[];
}

/** `empty`: replies left out because their text is empty or blank (a service bug). */
export type RenderResult = { messages: OutboundMessage[]; dropped: number; empty: number };

/**
 * Splits text into chunks ≤ limit, preferring paragraph, then line, then word boundaries. An empty
 * or blank text gives no chunk: it is never sent.
 */
export function splitText(text: string, limit = MAX_TEXT_LENGTH): string[] {
  if (text.trim().length === 0) return [];
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = window.lastIndexOf("\n\n");
    if (cut < limit / 2) cut = window.lastIndexOf("\n");
    if (cut < limit / 2) cut = window.lastIndexOf(" ");
    if (cut < limit / 2) {
      cut = limit;
      // Never cut a surrogate pair in half.
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}

const label = (s: string) => (s.length > MAX_LABEL_LENGTH ? `${s.slice(0, MAX_LABEL_LENGTH - 1)}…` : s);

/** Breaks rows wider than the limit into several rows. */
function chunkRow<T>(row: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < row.length; i += size) out.push(row.slice(i, i + size));
  return out;
}

function optionRows(options: ReplyOption[][] | undefined, counter: { dropped: number }): MaxButton[][] {
  const rows: MaxButton[][] = [];
  for (const row of options ?? []) {
    const buttons: MaxButton[] = [];
    for (const o of row) {
      if (o.token.length === 0 || o.token.length > MAX_PAYLOAD_LENGTH) {
        counter.dropped += 1;
        continue;
      }
      buttons.push({ type: "callback", text: label(o.label), payload: o.token });
    }
    rows.push(...chunkRow(buttons, MAX_BUTTONS_PER_ROW));
  }
  return rows;
}

function keyboard(rows: MaxButton[][]): MaxKeyboardAttachment[] {
  const nonEmpty = rows.filter((r) => r.length > 0);
  return nonEmpty.length > 0 ? [{ type: "inline_keyboard", payload: { buttons: nonEmpty } }] : [];
}

/** Keeps the first rows within the row limit while always keeping the reserved tail rows. */
function fitRows(head: MaxButton[][], tail: MaxButton[][], counter: { dropped: number }): MaxButton[][] {
  const room = Math.max(0, MAX_ROWS - tail.length);
  if (head.length > room) {
    for (const r of head.slice(room)) counter.dropped += r.length;
  }
  return [...head.slice(0, room), ...tail];
}

export function renderReplies(replies: Reply[], opts: RenderOptions = {}): RenderResult {
  const counter = { dropped: 0 };
  const messages: OutboundMessage[] = [];
  let empty = 0;
  for (const reply of replies) {
    if (reply.type === "removeKeyboard") continue; // inline keyboards only in MAX; answered ones are edited away
    const chunks = splitText(reply.text);
    const last = chunks.pop();
    if (last === undefined) {
      empty += 1;
      continue;
    }
    for (const c of chunks) messages.push({ text: c, attachments: [] });
    let rows: MaxButton[][];
    if (reply.type === "requestContact") {
      // A row with a contact button may hold at most 3 buttons: give it a row of its own.
      rows = [
        [{ type: "request_contact", text: label(reply.shareLabel) }],
        ...optionRows(reply.options, counter),
      ];
    } else {
      const head = optionRows(reply.options, counter);
      const linkRow: MaxButton[][] = reply.link
        ? [[{ type: "link", text: label(reply.link.label), url: reply.link.url }]]
        : [];
      rows = [...head, ...linkRow];
    }
    messages.push({ text: last, attachments: keyboard(rows) });
  }
  const lastMessage = messages.at(-1);
  if (lastMessage && opts.menuRow && opts.menuRow.length > 0) {
    const rows = lastMessage.attachments[0]?.payload.buttons ?? [];
    lastMessage.attachments = keyboard(fitRows(rows, [opts.menuRow.slice(0, MAX_BUTTONS_PER_ROW)], counter));
  } else if (lastMessage) {
    const rows = lastMessage.attachments[0]?.payload.buttons ?? [];
    lastMessage.attachments = keyboard(fitRows(rows, [], counter));
  }
  // Earlier messages of a batch can carry keyboards too; keep them within the row limit.
  for (const m of messages.slice(0, -1)) {
    const rows = m.attachments[0]?.payload.buttons ?? [];
    m.attachments = keyboard(fitRows(rows, [], counter));
  }
  return { messages, dropped: counter.dropped, empty };
}

/** True when a message carries a keyboard that should be removed once the person answers. */
export function hasKeyboard(m: OutboundMessage): boolean {
  return m.attachments.length > 0;
}
