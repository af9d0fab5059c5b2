// Shared setup for the MAX suites: a fake MAX API, a temp database and a channel wired to them.
import { Writable } from "node:stream";
import Fastify, { type FastifyInstance } from "fastify";
import {
  createMaxChannel,
  type MaxChannel,
  type MaxChannelDeps,
  maxWebhookPlugin,
} from "../../src/channels/max/max-channel.ts";
import type { Db } from "../../src/db/client.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger, type Logger } from "../../src/logging/logger.ts";
import {
  type FakeButton,
  type FakeMaxApi,
  type FakeMessage,
  type FakeUser,
  startFakeMaxApi,
} from "../fakes/fake-max-api.ts";

export const TOKEN = "max-test-token";
export const SECRET = "max-webhook-secret-123";
export const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
export const i18n = createI18n();

/** A logger whose JSON lines are kept, to prove no personal data reaches the logs. */
export function captureLog(): { log: Logger; text(): string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level: "debug", destination }), text: () => lines.join("") };
}

export interface Harness {
  api: FakeMaxApi;
  channel: MaxChannel;
  /** Delivers an update the way the configured mode does (queued for polling, POSTed for webhook). */
  deliver(update: unknown): Promise<void>;
  /** Waits until every delivered update has been applied and its replies sent. */
  settle(): Promise<void>;
  app?: FastifyInstance;
  close(): Promise<void>;
}

export async function startHarness(opts: {
  service: DialogService;
  db: Db;
  mode: "polling" | "webhook";
  channel?: Partial<MaxChannelDeps>;
  /** The fake API of an earlier harness (a restart of the service); it is left open by close(). */
  api?: FakeMaxApi;
}): Promise<Harness> {
  const api = opts.api ?? (await startFakeMaxApi({ token: TOKEN, defaultPollTimeoutMs: 200 }));
  const channel = createMaxChannel({
    token: TOKEN,
    baseUrl: api.baseUrl,
    service: opts.service,
    db: opts.db,
    log,
    i18n,
    mode: opts.mode === "polling" ? { type: "polling" } : { type: "webhook", secret: SECRET },
    outbound: { minRetryDelayMs: 20, maxRetryDelayMs: 100, ratePerSecond: 1000, maxConcurrent: 20 },
    // Short long polls: the fake records a call when it answers it.
    polling: { timeoutSeconds: 1, minRetryMs: 50, maxRetryMs: 200 },
    ...opts.channel,
  });
  let app: FastifyInstance | undefined;
  if (opts.mode === "webhook") {
    app = Fastify({ logger: false });
    await app.register(maxWebhookPlugin(channel, { secret: SECRET }));
    await app.ready();
  }
  await channel.start();
  return {
    api,
    channel,
    app,
    async deliver(update) {
      if (!app) {
        api.pushUpdate(update);
        return;
      }
      const res = await app.inject({
        method: "POST",
        url: "/webhooks/max",
        headers: { "x-max-bot-api-secret": SECRET, "content-type": "application/json" },
        payload: JSON.stringify(update),
      });
      if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
    },
    async settle() {
      // Polling: the next poll (acknowledging the marker) comes once the batch is journaled;
      // channel.idle() then waits until it has been applied.
      if (!app) await waitFor(() => api.pendingUpdates === 0, 8000, "updates acknowledged");
      await channel.idle();
    },
    async close() {
      await channel.stop();
      await app?.close();
      if (!opts.api) await api.close();
    },
  };
}

export async function waitFor<T>(
  probe: () => T | undefined | null | false,
  timeoutMs = 8000,
  what = "condition",
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A simulated family: writes, presses buttons of the bot's latest keyboard, shares a contact. */
export class Family {
  constructor(
    readonly h: Harness,
    readonly user: FakeUser,
  ) {}

  get api(): FakeMaxApi {
    return this.h.api;
  }

  messages(): FakeMessage[] {
    return this.api.messagesTo(this.user.chatId);
  }

  async send(update: unknown): Promise<void> {
    await this.h.deliver(update);
    await this.h.settle();
  }

  start(payload?: string) {
    return this.send(this.api.botStarted(this.user, payload));
  }

  say(text: string) {
    return this.send(this.api.textMessage(this.user, text));
  }

  share(opts: { phone?: string; ownerUserId?: number } = {}) {
    return this.send(this.api.contactMessage(this.user, opts));
  }

  /** The newest bot message with a button whose dialog option id (token "<seq>.<id>") or label matches. */
  find(idOrLabel: string | RegExp): { message: FakeMessage; button: FakeButton } {
    const match = (b: FakeButton) =>
      idOrLabel instanceof RegExp
        ? idOrLabel.test(b.text)
        : new RegExp(`^\\d+\\.${escapeRe(idOrLabel)}$`).test(b.payload ?? "") || b.payload === idOrLabel;
    for (const message of [...this.messages()].reverse()) {
      const button = this.api.buttonsOf(message).find(match);
      if (button) return { message, button };
    }
    throw new Error(`no button ${String(idOrLabel)} in chat ${this.user.chatId}`);
  }

  async press(idOrLabel: string | RegExp, callbackId?: string): Promise<unknown> {
    const { message, button } = this.find(idOrLabel);
    const update = this.api.callback(this.user, message, button.payload ?? "", callbackId);
    await this.send(update);
    return update;
  }

  lastTexts(n: number): string {
    return this.messages()
      .slice(-n)
      .map((m) => m.text)
      .join("\n");
  }
}
