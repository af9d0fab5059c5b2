// Strict order per chat, concurrency across chats. The MAX library hands a poll's updates to the
// middleware all at once (Promise.all), and webhook requests arrive in parallel too, so two
// answers of one family could otherwise race through the dialog.
export interface ChatQueue {
  /** Runs `task` after every earlier task of the same chat has settled. */
  run<T>(chatId: string, task: () => Promise<T>): Promise<T>;
  /** Resolves when every task queued so far has settled. */
  idle(): Promise<void>;
  readonly size: number;
}

export function createChatQueue(): ChatQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(chatId, task) {
      const previous = tails.get(chatId) ?? Promise.resolve();
      const result = previous.then(task, task);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(chatId, tail);
      // Forget a chat once its chain is empty, so memory stays bounded by active chats.
      void tail.then(() => {
        if (tails.get(chatId) === tail) tails.delete(chatId);
      });
      return result;
    },
    async idle() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
    get size() {
      return tails.size;
    },
  };
}
