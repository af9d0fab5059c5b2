// Reads the labelled corpus files (tests/screening/corpus-*.txt): "P0 | text", "P1 | text", "none | text".
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type CorpusLabel = "P0" | "P1" | "none";
export interface CorpusItem {
  label: CorpusLabel;
  text: string;
  where: string;
}

const DIR = new URL(".", import.meta.url).pathname;

export function readCorpus(): CorpusItem[] {
  const items: CorpusItem[] = [];
  for (const name of readdirSync(DIR)
    .filter((f) => /^corpus-.*\.txt$/.test(f))
    .sort()) {
    readFileSync(join(DIR, name), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (line.trim() === "" || line.startsWith("#")) return;
        const m = /^(P0|P1|none) \| (.+)$/.exec(line);
        if (!m) throw new Error(`${name}:${i + 1}: expected "P0 | text", "P1 | text" or "none | text"`);
        items.push({ label: m[1] as CorpusLabel, text: m[2]!, where: `${name}:${i + 1}` });
      });
  }
  return items;
}
