// `npm run chat`: the triage dialog in a terminal, against the same database as the bots.
// Env: DATABASE_URL (PostgreSQL, as for the service) or DATABASE_FILE (default ./data/opora.db), CHAT_ID, CHAT_LANG, CONSENT_VERSION, PUBLIC_BASE_URL,
// OPERATOR_NAME, LOG_LEVEL (default "warn" so logs do not clutter the chat).
import os from "node:os";
import { createConsoleChannel } from "../channels/console/console-channel.ts";
import { createDialogService } from "../dialog/dialog-service.ts";
import { createI18n } from "../i18n/i18n.ts";
import { createLogger } from "../logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../routing/routing-store.ts";
import { openCliDatabase } from "./cli-database.ts";

async function main(): Promise<void> {
  const opened = await openCliDatabase(process.env);
  if (opened.type === "error") {
    process.stderr.write(`chat: ${opened.message}\n`);
    process.exit(1);
  }
  const log = createLogger({ level: process.env.LOG_LEVEL ?? "warn", destination: process.stderr as never });
  const db = opened.db;
  await loadDemoRoutingIfEmpty(db, log);
  const i18n = createI18n();
  const service = createDialogService({
    db,
    log,
    i18n,
    clock: () => new Date(),
    config: {
      consentVersion: process.env.CONSENT_VERSION ?? "2025-09-01",
      publicBaseUrl: process.env.PUBLIC_BASE_URL ?? "http://localhost:3000",
      operatorName: process.env.OPERATOR_NAME ?? "Opora (demo)",
    },
  });
  const chatId = process.env.CHAT_ID ?? `local-${os.userInfo().username}`;
  const channel = createConsoleChannel({ service, input: process.stdin, output: process.stdout, chatId, i18n, locale: process.env.CHAT_LANG ?? "ru" });
  await channel.run();
  await db.$disconnect();
}

main().catch((err) => {
  process.stderr.write(`chat failed: ${(err as Error).message}\n`);
  process.exit(1);
});
