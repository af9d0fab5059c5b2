// The HTTP transport both messenger libraries call instead of their default fetch (MAX's
// `clientOptions.fetch`, grammY's `client.fetch`): undici's `request` on a keep-alive pool, which
// costs a fraction of a fetch per call — at a few API calls per update, fetch was the largest share
// of the bot's CPU after the database. The libraries read only the status, `headers.get`, `json()`
// and `text()` of a response and send JSON strings (Opora uploads no files), so that is all the
// adapter provides. Failures look as they do with fetch: an aborted call rejects with an AbortError
// (poll loops stop on it), any other network failure with TypeError("fetch failed") (retried).
import { Agent, request } from "undici";

export type FetchFn = typeof globalThis.fetch;

/** Idle keep-alive sockets are closed after this long. */
const IDLE_SOCKET_MS = 4000;

/** Connection-level headers are the pool's business (undici refuses them). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade"]);

function plainHeaders(headers: RequestInit["headers"]): Record<string, string> | undefined {
  if (!headers) return undefined;
  const entries = headers instanceof Headers ? [...headers.entries()] : Array.isArray(headers) ? headers : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) if (k !== undefined && v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = String(v);
  return out;
}

/** One outbound call's result for metrics: the status, or undefined for a network failure. */
export type OutboundCallObserver = (call: { url: string; status: number | undefined }) => void;
const observers = new Set<OutboundCallObserver>();

/** Tells `fn` about every call made through these transports (aborted calls excepted); returns an unsubscribe. */
export function observeOutboundCalls(fn: OutboundCallObserver): () => void {
  observers.add(fn);
  return () => observers.delete(fn);
}

export function createUndiciFetch(): FetchFn {
  const dispatcher = new Agent({ keepAliveTimeout: IDLE_SOCKET_MS });
  const undiciFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" || input instanceof URL ? input : input.url;
    if (init?.body != null && typeof init.body !== "string") throw new TypeError("fetch failed: only string bodies are supported");
    const signal = init?.signal ?? undefined;
    try {
      const res = await request(url, {
        method: (init?.method ?? "GET") as "GET",
        headers: plainHeaders(init?.headers),
        body: init?.body ?? null,
        dispatcher,
        ...(signal ? { signal } : {}),
      });
      const text = await res.body.text();
      for (const o of observers) o({ url: String(url), status: res.statusCode });
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
      for (const o of observers) o({ url: String(url), status: undefined });
      throw new TypeError("fetch failed", { cause: err });
    }
  };
  return undiciFetch as unknown as FetchFn;
}
