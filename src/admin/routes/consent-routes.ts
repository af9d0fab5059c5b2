// The full consent text, public (design.md §4): GET /consent is the version in force, GET
// /consent/VERSION any published one, in Russian or English (?lang=), naming the center a request
// goes to (?center=KEY, as the bot's consent screen does), as a page or as the exact text
// (?format=text) whose SHA-256 is the ConsentRecord.textHash of a consent given on that screen.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  CONSENT_TEXTS,
  type ConsentLocale,
  GENERIC_RECIPIENT,
  isPublishedConsentVersion,
  LATEST_CONSENT_VERSION,
  renderConsentText,
  sha256Hex,
} from "../../privacy/consent-texts.ts";
import { centerNameByKey } from "../repositories/center-repository.ts";
import { type AdminDeps, localeOf, notFound, renderPage } from "../web-context.ts";

const query = z.object({
  lang: z.enum(["ru", "en"]).optional(),
  center: z.string().max(100).optional(),
  format: z.enum(["html", "text"]).optional(),
});

export function registerConsentRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const current = deps.config.consentVersion ?? LATEST_CONSENT_VERSION;

  async function show(req: FastifyRequest, reply: FastifyReply, version: string) {
    const q = query.safeParse(req.query);
    if (!q.success || !isPublishedConsentVersion(version)) throw notFound();
    const lang: ConsentLocale = q.data.lang ?? localeOf(req);
    let recipient = GENERIC_RECIPIENT[lang];
    if (q.data.center) {
      const name = await centerNameByKey(deps.db, q.data.center);
      if (name === null) throw notFound();
      recipient = name;
    }
    const text = renderConsentText(lang, {
      operator: deps.config.operatorName ?? "",
      recipient,
      days: deps.config.retentionDays ?? 180,
      version,
    });
    reply.header("Cache-Control", "public, max-age=300");
    if (q.data.format === "text") return reply.type("text/plain; charset=utf-8").send(text);
    const versions = Object.keys(CONSENT_TEXTS);
    const params = new URLSearchParams(q.data.center ? { center: q.data.center } : {});
    return renderPage(deps, req, reply, "consent", {
      title: lang === "en" ? "Consent" : "Согласие",
      text,
      lang,
      version,
      current: version === current,
      hash: sha256Hex(text),
      versions,
      otherLang: lang === "ru" ? "en" : "ru",
      query: params.toString(),
    });
  }

  app.get("/consent", (req, reply) => show(req, reply, current));
  app.get<{ Params: { version: string } }>("/consent/:version", (req, reply) => show(req, reply, req.params.version));
}
