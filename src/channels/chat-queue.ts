// Per-chat serial execution: updates of one chat run strictly in arrival order, different chats
// run concurrently. Both messengers need it: grammY polls one update at a time for the whole bot,
// and the MAX library hands a poll's updates over all at once (Promise.all), as webhooks do too.
// A Map of promise chains, each entry removed when its chain drains (memory stays bounded).

export interface ChatQueue {
  /** Runs `task` after every earlier task of the same key; resolves or rejects with it. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves when every task queued so far has settled. */
  idle(): Promise<void>;
  /** Tasks queued or running. */
  readonly pending: number;
  /** Keys with a live chain (for tests: proves entries are dropped). */
  readonly activeKeys: number;
}

export function createChatQueue(): ChatQueue {
  const tails = new Map<string, Promise<unknown>>();
  const all = new Set<Promise<unknown>>();
  let pending = 0;

  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      pending += 1;
      const result = previous.then(task, task);
      // The chain must continue whatever the task does, so the tail swallows its outcome.
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      all.add(tail);
      void tail.then(() => {
        pending -= 1;
        all.delete(tail);
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    async idle() {
      while (all.size > 0) await Promise.all([...all]);
    },
    get pending() {
      return pending;
    },
    get activeKeys() {
      return tails.size;
    },
  };
}
