// Whether a reply re-renders the question the person just pressed a button of (a topic ticked in
// a multi-select, another page of topics): then the channel edits that message in place instead of
// sending a new copy. Equal texts, but for a trailing "(страница 1 из 2)"-style note.
export function sameQuestion(a: string, b: string): boolean {
  const core = (s: string) => s.replace(/\s*\([^()\n]*\)\s*$/, "");
  return core(a) === core(b);
}
