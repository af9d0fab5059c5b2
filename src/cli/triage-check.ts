// `npm run triage-check`: screens one message per line of standard input with the red-flag lexicon
// and prints one JSON line per message, so a clinician can try a lexicon change without the bot:
//   {"text": "...", "urgency": "P0" | "P1" | null, "matched": ["id", ...], "why": "..." | null}
// Options: --lexicon FILE (default: RED_FLAG_LEXICON_FILE, else the shipped file), --locale ru|en
// (language of "why"). An invalid lexicon: its problems on stderr, exit 1, nothing screened.
// Every input line gets exactly one output line: empty lines, very long lines and binary junk included.
import { parseArgs } from "node:util";
import { DEFAULT_LEXICON_FILE, type Lexicon, loadLexicon } from "../screening/lexicon.ts";

export interface TriageLine {
  text: string;
  urgency: "P0" | "P1" | null;
  matched: string[];
  why: string | null;
}

/** Screens one line the way the bot screens a message. */
export function triageLine(lexicon: Lexicon, text: string, locale: "ru" | "en"): TriageLine {
  const result = lexicon.screen(text);
  if (result.type === "none") return { text, urgency: null, matched: [], why: null };
  const why = result.matches
    .map((id) => lexicon.entries.find((e) => e.id === id)?.why[locale] ?? id)
    .join("; ");
  return { text, urgency: result.level, matched: result.matches, why };
}

async function main(): Promise<void> {
  let values: { lexicon?: string; locale?: string };
  try {
    ({ values } = parseArgs({
      options: { lexicon: { type: "string" }, locale: { type: "string", default: "ru" } },
    }));
  } catch (err) {
    console.error(`triage-check: ${err instanceof Error ? err.message : String(err)}`);
    console.error("usage: npm run triage-check [-- --lexicon FILE] [--locale ru|en] < messages.txt");
    process.exit(1);
  }
  const locale = values.locale === "en" ? "en" : "ru";
  const file = values.lexicon ?? (process.env.RED_FLAG_LEXICON_FILE?.trim() || DEFAULT_LEXICON_FILE);
  const loaded = loadLexicon(file);
  if (loaded.type === "invalid") {
    console.error(
      `triage-check: the lexicon ${loaded.file} is invalid:\n${loaded.problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    process.exit(1);
  }

  // Lines end at "\n" (a "\r" before it is dropped); invalid UTF-8 becomes U+FFFD, never an error.
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let pending = "";
  const emit = async (line: string) => {
    const out = `${JSON.stringify(triageLine(loaded.lexicon, line.replace(/\r$/, ""), locale))}\n`;
    // Respect back-pressure so a large file piped in does not pile up in memory.
    if (!process.stdout.write(out)) await new Promise((resolve) => process.stdout.once("drain", resolve));
  };
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    pending += decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf("\n");
    while (nl !== -1) {
      await emit(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
  }
  pending += decoder.decode();
  if (pending !== "") await emit(pending);
}

// A closed pipe (`| head`) is a normal end, not a crash.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

await main();
