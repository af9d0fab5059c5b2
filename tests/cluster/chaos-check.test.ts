// The chaos test's chat check (tests/cluster/chaos-harness.ts, checkChats) on made-up logs: what is
// a repeat, what is an in-doubt re-send after a kill (allowed, counted apart), what breaks the order.
import { describe, expect, it } from "vitest";
import type { FakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { checkChats, FIRST_USER } from "./chaos-harness.ts";

const PAGE1 = "Что сейчас происходит? (стр. 1 из 2)";
const PAGE2 = "Что сейчас происходит? (стр. 2 из 2)";
const usual = ["Здравствуйте", PAGE1, PAGE2, "Есть ли угроза?", "Ваша заявка № 63-00001 принята"];
const BEHIND = "Этот вопрос уже позади. Вот вопрос, на котором мы остановились.";

type Msg = string | { text: string; edit?: boolean };
function log(chats: Msg[][]): FakeTelegramApi {
  const calls = chats.flatMap((msgs, i) =>
    msgs.map((m, k) => {
      const { text, edit } = typeof m === "string" ? { text: m, edit: false } : m;
      return { method: edit ? "editMessageText" : "sendMessage", payload: { chat_id: FIRST_USER + i, text }, at: 1_000 * (k + 1) };
    }),
  );
  return { calls } as unknown as FakeTelegramApi;
}

describe("chaos chat check", () => {
  it("usual chats pass; a later copy of a message is a duplicate", () => {
    const { chats } = checkChats(log([usual, usual, [...usual.slice(0, 4), "Есть ли угроза?", usual[4] as string]]), 3, [], 3_000);
    expect(chats.slice(0, 2).every((c) => c.duplicates === 0 && !c.outOfOrder)).toBe(true);
    expect(chats[2]?.duplicates).toBe(1);
  });

  it("the topics question's first page sent again after a kill it was in flight at: in doubt, not a pass", () => {
    // Page 1 went out at 2 s, the instance was killed at 2.1 s, and the survivor sent it again at
    // 5 s; the family answered both copies ("behind") — the shape has two places in the usual dialog.
    const odd = ["Здравствуйте", PAGE1, PAGE2, "Есть ли угроза?", PAGE1, BEHIND, "Есть ли угроза?", usual[4] as string];
    const { chats } = checkChats(log([usual, usual, odd]), 3, [2_100], 3_000);
    expect(chats[2]).toMatchObject({ inDoubt: 1, duplicates: 0, staleAnswers: 0, afterDoubt: true, outOfOrder: false });
    // With no kill around it, the same chat fails: a "behind" answer nobody's in-doubt copy explains.
    const { chats: calm } = checkChats(log([usual, usual, odd]), 3, [], 3_000);
    expect(calm[2]?.inDoubt).toBe(0);
    expect((calm[2]?.staleAnswers ?? 0) + (calm[2]?.duplicates ?? 0)).toBeGreaterThan(0);
  });
});
