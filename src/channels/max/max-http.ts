// The HTTP transport the MAX library calls instead of the global fetch (its `clientOptions.fetch`):
// undici's `request` on a keep-alive pool, which costs a fraction of fetch per call — at a few API
// calls per update, fetch was the largest share of the bot's CPU after the database. The library
// reads only the status, `headers.get`, `json()` and `text()` of a response, so that is all the
// adapter below provides. Failures look as they do with fetch: an aborted call rejects with an
// AbortError (the poll loop stops on it), any other network failure with TypeError("fetch failed")
// (retried by the poll loop and by the outbound queue).
import { Agent, request } from "undici";

export type FetchFn = typeof globalThis.fetch;

/** Idle keep-alive sockets are closed after this long. */
const IDLE_SOCKET_MS = 4000;

export function createMaxFetch(): FetchFn {
  const dispatcher = new Agent({ keepAliveTimeout: IDLE_SOCKET_MS });
  const maxFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" || input instanceof URL ? input : input.url;
    if (init?.body != null && typeof init.body !== "string") throw new TypeError("fetch failed: only string bodies are supported");
    const signal = init?.signal ?? undefined;
    try {
      const res = await request(url, {
        method: (init?.method ?? "GET") as "GET",
        headers: init?.headers instanceof Headers ? Object.fromEntries(init.headers) : (init?.headers as Record<string, string> | undefined),
        body: init?.body ?? null,
        dispatcher,
        ...(signal ? { signal } : {}),
      });
      const text = await res.body.text();
      return {
        status: res.statusCode,
        headers: {
          get(name: string) {
            const v = res.headers[name.toLowerCase()];
            return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
          },
        },
        json: async () => JSON.parse(text) as unknown,
        text: async () => text,
      };
    } catch (err) {
      if ((err as Error).name === "AbortError" || signal?.aborted) throw err;
      throw new TypeError("fetch failed", { cause: err });
    }
  };
  return maxFetch as unknown as FetchFn;
}
