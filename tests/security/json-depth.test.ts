import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "../../src/http/json-depth.ts";

describe("JSON nesting scan", () => {
  it("counts objects and arrays, not brackets inside strings or escaped quotes", () => {
    expect(nestsDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify({ text: "[[[[[[{{{{{{" }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ text: 'a \\" [[[[ "' }), 1)).toBe(false);
    expect(nestsDeeperThan(`[${JSON.stringify("\\")},[[]]]`, 2)).toBe(true);
    expect(nestsDeeperThan("[".repeat(65) + "]".repeat(65), 64)).toBe(true);
    expect(nestsDeeperThan("[".repeat(64) + "]".repeat(64), 64)).toBe(false);
  });
});
