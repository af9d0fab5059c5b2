// Per-chat serial execution: updates of one chat run strictly in arrival order, different chats
// run concurrently. grammY's built-in polling handles updates one by one for the whole bot and
// @grammyjs/runner is not a dependency, so this small sequentializer does the job: a Map of
// promise chains, each entry removed when its chain drains (memory does not grow with chats).

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
