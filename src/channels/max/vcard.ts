// MAX delivers a shared contact's phone only inside the vCard text, and the library's own helper
// throws on some real cards, so we parse TEL lines ourselves. Never throws; normalisation is the
// dialog's job (src/dialog/phone.ts): here a number is returned as written, digits and leading "+".

/**
 * Returns the phone numbers of every TEL property, mobile ("cell"/"mobile"/"iphone") ones first,
 * then preferred ones, then the rest in card order; duplicates removed.
 */
export function parseVcardPhones(vcf: string): string[] {
  try {
    if (typeof vcf !== "string" || vcf === "") return [];
    const found: { phone: string; rank: number; order: number }[] = [];
    for (const line of unfoldLines(vcf)) {
      const tel = parseTelLine(line);
      if (tel) found.push({ ...tel, order: found.length });
    }
    found.sort((a, b) => a.rank - b.rank || a.order - b.order);
    return [...new Set(found.map((f) => f.phone))];
  } catch {
    return [];
  }
}

// RFC 6350 §3.2: a line starting with a space or tab continues the previous one. vCard 2.1
// quoted-printable values continue with a trailing "=" (soft line break).
function unfoldLines(vcf: string): string[] {
  const lines: string[] = [];
  for (const physical of vcf.replace(/\r\n?/g, "\n").split("\n")) {
    const last = lines.length - 1;
    if ((physical.startsWith(" ") || physical.startsWith("\t")) && last >= 0) {
      lines[last] += physical.slice(1);
    } else if (last >= 0 && /=$/.test(lines[last]!) && /QUOTED-PRINTABLE/i.test(lines[last]!)) {
      lines[last] = lines[last]!.slice(0, -1) + physical;
    } else {
      lines.push(physical);
    }
  }
  return lines;
}

function parseTelLine(line: string): { phone: string; rank: number } | null {
  const colon = findValueColon(line);
  if (colon < 0) return null;
  const [rawName = "", ...params] = line.slice(0, colon).split(";");
  // Drop a group prefix such as "item1." (Apple, WhatsApp cards).
  const name = rawName
    .replace(/^[^.]*\./, "")
    .trim()
    .toUpperCase();
  if (name !== "TEL") return null;

  const phone = cleanNumber(line.slice(colon + 1));
  if (phone === null) return null;

  const types = params
    .flatMap((p) => {
      const eq = p.indexOf("=");
      const key = eq < 0 ? "TYPE" : p.slice(0, eq).trim().toUpperCase();
      return key === "TYPE"
        ? p
            .slice(eq + 1)
            .replace(/"/g, "")
            .split(",")
        : [];
    })
    .map((t) => t.trim().toLowerCase());
  const rank = types.some((t) => t === "cell" || t === "mobile" || t === "iphone")
    ? 0
    : types.includes("pref")
      ? 1
      : 2;
  return { phone, rank };
}

// The first ":" outside a double-quoted parameter value separates parameters from the value.
function findValueColon(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ":" && !quoted) return i;
  }
  return -1;
}

function cleanNumber(value: string): string | null {
  // vCard 4 writes numbers as URIs ("tel:+7-999-…;ext=1"); keep only the number part.
  const bare =
    value
      .trim()
      .replace(/^tel:/i, "")
      .split(/[;,]|\bext\b|доб/i)[0] ?? "";
  const digits = bare.replace(/\D/g, "");
  if (digits.length === 0) return null;
  return bare.trimStart().startsWith("+") ? `+${digits}` : digits;
}
