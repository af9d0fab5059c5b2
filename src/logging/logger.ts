// Structured logs with pino. Personal data must never reach them: known fields are redacted
// wherever they appear, and code logs ids and stable codes rather than message contents.
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

/** Field names that may carry personal data or secrets, at any depth we expect. */
const SENSITIVE = [
  "name",
  "firstName",
  "first_name",
  "lastName",
  "last_name",
  "username",
  "phone",
  "phone_number",
  "contactName",
  "contactPhone",
  "description",
  "text",
  "caption",
  "vcf_info",
  "contact",
  "token",
  "password",
  "passwordHash",
  "authorization",
  "cookie",
  "secret",
];
export const REDACT_PATHS = [
  ...SENSITIVE,
  ...SENSITIVE.map((k) => `*.${k}`),
  ...SENSITIVE.map((k) => `*.*.${k}`),
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-max-bot-api-secret"]',
];

export interface CreateLoggerOptions {
  level: string;
  destination?: DestinationStream;
}

export function createLogger({ level, destination }: CreateLoggerOptions): Logger {
  return pino(
    {
      level,
      base: { app: "opora" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
