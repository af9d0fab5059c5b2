// The console channel: the same dialog service in a terminal, for trying the whole flow without
// messenger tokens. Options are shown as numbered choices; "/phone +7…" shares a contact as one's
// own ("/contact +7…" as someone else's). Streams are injected so a test can drive it.
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { type I18n, type Locale, pickLocale } from "../../i18n/i18n.ts";
import type { CommandName, DialogService, InboundEvent, Reply, ReplyOption } from "../../dialog/service-types.ts";

export interface ConsoleChannelDeps {
  service: DialogService;
  input: Readable;
  output: Writable;
  chatId: string;
  userId?: string;
  i18n?: I18n;
  locale?: string;
}

const COMMANDS: readonly CommandName[] = ["start", "help", "status", "revoke", "lang", "back", "cancel"];

/** Turns a typed line into an event, given the numbered options last shown. */
export function parseConsoleLine(line: string, options: ReplyOption[]): InboundEvent | { type: "quit" } | null {
  const text = line.trim();
  if (text === "") return { type: "text", text: line };
  if (text.startsWith("/")) {
    const [head = "", ...rest] = text.slice(1).split(/\s+/);
    const name = head.toLowerCase();
    const arg = rest.join(" ").trim();
    if (name === "quit" || name === "exit") return { type: "quit" };
    if (name === "phone") return { type: "contact", phone: arg, own: true };
    if (name === "contact") return { type: "contact", phone: arg, own: false };
    if (name === "start") return arg ? { type: "start", payload: arg } : { type: "start" };
    if ((COMMANDS as readonly string[]).includes(name)) return { type: "command", name: name as CommandName, ...(arg ? { arg } : {}) };
  }
  if (/^\d{1,2}$/.test(text)) {
    const chosen = options[Number(text) - 1];
    if (chosen) return { type: "option", token: chosen.token };
  }
  return { type: "text", text: line };
}

export function createConsoleChannel(deps: ConsoleChannelDeps) {
  const { service, input, output, chatId } = deps;
  const userId = deps.userId ?? chatId;
  const locale: Locale = pickLocale(deps.locale);
  let options: ReplyOption[] = [];
  let counter = 0;
  const runId = randomUUID().slice(0, 8);
  const write = (s: string) => output.write(`${s}\n`);
  const tr = (key: string) => (deps.i18n ? deps.i18n.t(locale, key) : key);

  function render(replies: Reply[]): void {
    for (const r of replies) {
      if (r.type === "removeKeyboard") continue;
      write("");
      write(r.text);
      const rows = r.options ?? [];
      const flat = rows.flat();
      if (flat.length > 0) options = flat;
      for (const [i, o] of flat.entries()) write(`  ${i + 1}) ${o.label}`);
      if (r.type === "text" && r.link) write(`  🔗 ${r.link.label}: ${r.link.url}`);
      if (r.type === "requestContact") write(`  [${r.shareLabel}] ${tr("console-share-hint")}`);
    }
    write("");
  }

  async function send(event: InboundEvent): Promise<void> {
    counter++;
    const res = await service.handle(
      { channel: "console", chatId, userId, updateKey: `${chatId}:${runId}:${counter}`, locale },
      event,
    );
    if (res.type === "handled") render(res.replies);
  }

  return {
    /** Reads lines until the input ends or /quit; each line is handled before the next is read. */
    async run(): Promise<void> {
      if (deps.i18n) write(tr("console-intro"));
      const rl = createInterface({ input, terminal: false });
      for await (const line of rl) {
        const event = parseConsoleLine(line, options);
        if (!event) continue;
        if (event.type === "quit") break;
        await send(event);
      }
      rl.close();
    },
    send,
  };
}
