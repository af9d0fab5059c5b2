// Option tokens: "<seq>.<option id>". The sequence number tells a press on an old message (stale)
// from a press on the current one.
const TOKEN = /^(\d{1,9})\.([A-Za-z0-9_:-]{1,60})$/;

export function parseToken(token: string): { seq: number; id: string } | null {
  if (token.length > 64) return null;
  const m = TOKEN.exec(token);
  return m ? { seq: Number(m[1]), id: m[2]! } : null;
}
