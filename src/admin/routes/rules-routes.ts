// Regional admin: routing rules (list, create, edit, deactivate) validated by the routing engine's
// own checks, "where would it go?", the coverage matrix, routing file download and upload.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { renderConfirmation } from "../../dialog/engine.ts";
import { CATEGORIES, FLAGS, URGENCIES } from "../../domain/taxonomy.ts";
import { coverageGaps, coverageMatrix } from "../../routing/coverage.ts";
import { describeConditions, routeRequest } from "../../routing/engine.ts";
import { parseRoutingFile } from "../../routing/routing-file.ts";
import { exportRoutingFile, importRoutingFile, loadRoutingSnapshot } from "../../routing/routing-store.ts";
import type { RoutingRuleData, RoutingSnapshot } from "../../routing/types.ts";
import { type RoutingIssue, validateRoutingSnapshot } from "../../routing/validate-rules.ts";
import { formatLocalRu } from "../../routing/working-hours.ts";
import type { AdminChange } from "../repositories/admin-change.ts";
import { activeMunicipalitiesOfRegion, findMunicipalityInRegion } from "../repositories/municipality-repository.ts";
import { activeQueuesOfRegion } from "../repositories/queue-admin-repository.ts";
import { findRuleInRegion, listRulesOfRegion, ruleKeyTaken, saveRoutingRule, setRoutingRuleActive } from "../repositories/routing-rule-repository.ts";
import { routingIssueMessage } from "../routing-issue-text.ts";
import { type AdminDeps, localeOf, notFound, parseJsonArray, renderPage } from "../web-context.ts";
import { blankToNull, fieldErrors, requireRegionAdmin } from "./admin-scope.ts";

const asArray = (v: unknown) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]);

export const ruleForm = z.object({
  key: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: "web-err-key" }),
  municipalityId: z.preprocess(blankToNull, z.string().max(64).nullable().default(null)),
  categories: z.preprocess(asArray, z.array(z.enum(CATEGORIES, { error: "web-err-invalid" }))),
  urgency: z.preprocess(blankToNull, z.enum(URGENCIES, { error: "web-err-invalid" }).nullable().default(null)),
  flags: z.preprocess(asArray, z.array(z.enum(FLAGS, { error: "web-err-invalid" }))),
  queueId: z.string().min(1, { error: "web-err-queue" }).max(64),
  priority: z.preprocess(
    (v) => (v === "" || v === undefined ? 0 : Number(v)),
    z.number({ error: "web-err-priority" }).int({ error: "web-err-priority" }).min(-1000, { error: "web-err-priority" }).max(1000, { error: "web-err-priority" }),
  ),
  note: z.preprocess(blankToNull, z.string().max(1000, { error: "web-err-too-long" }).nullable().default(null)),
});

export const whereForm = z.object({
  municipalityId: z.preprocess(blankToNull, z.string().max(64).nullable().default(null)),
  categories: z.preprocess(asArray, z.array(z.enum(CATEGORIES, { error: "web-err-invalid" })).min(1, { error: "web-err-where-categories" })),
  urgency: z.enum(URGENCIES, { error: "web-err-invalid" }),
  flags: z.preprocess(asArray, z.array(z.enum(FLAGS, { error: "web-err-invalid" }))),
  time: z.preprocess(
    blankToNull,
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, { error: "web-err-time" })
      .nullable()
      .default(null),
  ),
});

/** The example "where would it go?" opens with: violence is the commonest urgent topic. */
const WHERE_DEFAULT_CATEGORY = "violence";

const coverageQuery = z.object({ urgency: z.enum(URGENCIES).default("P2") });
const uploadForm = z.object({ json: z.string().min(1, { error: "web-err-required" }).max(1_000_000, { error: "web-err-too-long" }) });

/** Form field an engine issue belongs to. */
function fieldOfIssue(issue: RoutingIssue): string {
  if (issue.code === "ambiguous_rules") return "priority";
  switch (issue.entity?.field) {
    case "queue":
      return "queueId";
    case "municipality":
      return "municipalityId";
    case "key":
      return "key";
    default:
      return "_form";
  }
}

/** Line and column (1-based) of a character offset, for "the JSON breaks here" messages. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** Local wall time "YYYY-MM-DDTHH:MM" in a timezone → the UTC instant. */
export function zonedTimeToUtc(local: string, timeZone: string): Date {
  const asUtc = new Date(`${local}:00Z`);
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(asUtc);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const shown = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return new Date(asUtc.getTime() - (shown - asUtc.getTime()));
}

function localInput(d: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(d);
  return parts.replace(" ", "T");
}

export function registerRulesRoutes(app: FastifyInstance, deps: AdminDeps): void {
  // Routing problems in the reader's language (routing-issue-text.ts); messages already in words pass through.
  const inWords = <T extends { path: string; message: string }>(req: FastifyRequest, issues: T[]) =>
    issues.map((i) => ("code" in i ? { ...i, message: routingIssueMessage(deps.i18n, localeOf(req), i as unknown as RoutingIssue) } : i));
  const { db } = deps;
  const post = { preHandler: app.csrfProtection };

  async function regionChoices(regionCode: string) {
    const [municipalities, queues] = await Promise.all([activeMunicipalitiesOfRegion(db, regionCode), activeQueuesOfRegion(db, regionCode)]);
    return { municipalities, queues };
  }

  app.get("/admin/:region/rules", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const snapshot = await loadRoutingSnapshot(db);
    const rules = await listRulesOfRegion(db, region.code);
    const issues = validateRoutingSnapshot(snapshot, region.code).filter((i) => i.entity?.kind === "rule");
    return renderPage(deps, req, reply, "admin-rules", {
      region,
      issues: inWords(req, issues),
      rules: rules.map((r) => {
        const data = snapshot.rules.find((x) => x.id === r.id);
        return { ...r, conditions: data ? describeConditions(snapshot, data) : "", cats: parseJsonArray(r.categories), flagList: parseJsonArray(r.flags) };
      }),
    });
  });

  async function showRuleForm(
    req: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown> | null,
    errors: Record<string, string> = {},
    issues: RoutingIssue[] = [],
    status = 200,
  ) {
    const { region } = await requireRegionAdmin(deps, req);
    const id = (req.params as { id?: string }).id ?? null;
    let v = values;
    let active = true;
    if (id) {
      const rule = await findRuleInRegion(db, region.code, id);
      if (!rule) throw notFound();
      active = rule.active;
      v ??= { ...rule, categories: parseJsonArray(rule.categories), flags: parseJsonArray(rule.flags) };
    }
    const form = v ?? { categories: [], flags: [], priority: 0 };
    return renderPage(
      deps,
      req,
      reply,
      "admin-rule-form",
      {
        region,
        id,
        active,
        v: { ...form, categories: asArray(form.categories), flags: asArray(form.flags) },
        errors,
        issues: inWords(req, issues),
        allCategories: CATEGORIES,
        allFlags: FLAGS,
        urgencies: URGENCIES,
        ...(await regionChoices(region.code)),
      },
      status,
    );
  }

  app.get("/admin/:region/rules/new", (req, reply) => showRuleForm(req, reply, null));
  app.get("/admin/:region/rules/:id", (req, reply) => showRuleForm(req, reply, null));

  async function saveRule(req: FastifyRequest, reply: FastifyReply, id: string | null) {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const existing = id ? await findRuleInRegion(db, region.code, id) : null;
    if (id && !existing) throw notFound();
    const f = ruleForm.safeParse(body);
    if (!f.success) return showRuleForm(req, reply, body, fieldErrors(f.error), [], 400);
    const d = f.data;
    if (await ruleKeyTaken(db, region.code, d.key, id)) return showRuleForm(req, reply, body, { key: "web-err-key-taken" }, [], 400);
    if (d.municipalityId && !(await findMunicipalityInRegion(db, region.code, d.municipalityId))) {
      return showRuleForm(req, reply, body, { municipalityId: "web-err-municipality" }, [], 400);
    }
    // The same checks as a routing file: the candidate rule is validated within the whole snapshot.
    const snapshot = await loadRoutingSnapshot(db);
    const candidate: RoutingRuleData = {
      id: id ?? "__candidate__",
      key: d.key,
      regionCode: region.code,
      municipalityId: d.municipalityId,
      categories: d.categories,
      urgency: d.urgency,
      flags: d.flags,
      queueId: d.queueId,
      priority: d.priority,
      active: existing?.active ?? true,
    };
    const trial: RoutingSnapshot = { ...snapshot, rules: [...snapshot.rules.filter((r) => r.id !== id), candidate] };
    const issues = validateRoutingSnapshot(trial, region.code).filter(
      (i) => i.entity?.key === d.key || i.message.includes(`"${d.key}"`),
    );
    if (issues.length > 0) {
      const errors: Record<string, string> = {};
      for (const i of issues) errors[fieldOfIssue(i)] ??= `web-issue-${i.code}`;
      return showRuleForm(req, reply, body, errors, issues, 400);
    }
    await saveRoutingRule(db, { staffId: staff.id, regionCode: region.code, at: deps.clock() }, id, d);
    return reply.redirect(`/admin/${region.code}/rules`, 303);
  }

  app.post("/admin/:region/rules/new", post, (req, reply) => saveRule(req, reply, null));
  app.post("/admin/:region/rules/:id", post, (req, reply) => saveRule(req, reply, (req.params as { id: string }).id));

  app.post("/admin/:region/rules/:id/active", post, async (req, reply) => {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const id = (req.params as { id: string }).id;
    const rule = await findRuleInRegion(db, region.code, id);
    if (!rule) throw notFound();
    const active = (req.body as Record<string, unknown> | undefined)?.active === "true";
    if (active) {
      // Re-activating must not create an ambiguity or point at a dead queue.
      const snapshot = await loadRoutingSnapshot(db);
      const trial = { ...snapshot, rules: snapshot.rules.map((r) => (r.id === id ? { ...r, active: true } : r)) };
      const issues = validateRoutingSnapshot(trial, region.code).filter(
        (i) => i.entity?.key === rule.key || i.message.includes(`"${rule.key}"`),
      );
      if (issues.length > 0) return showRuleForm(req, reply, null, { _form: `web-issue-${issues[0]?.code}` }, issues, 409);
    }
    const change: AdminChange = { staffId: staff.id, regionCode: region.code, at: deps.clock() };
    await setRoutingRuleActive(db, change, rule, active);
    return reply.redirect(`/admin/${region.code}/rules`, 303);
  });

  // ── Where would it go? ── Opens with a sensible example (a P0 about violence, now, region-wide)
  // already answered, so submitting the form as it opens works; the time is the region's local time.
  app.get("/admin/:region/where", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const q = (req.query ?? {}) as Record<string, unknown>;
    const choices = await regionChoices(region.code);
    const base = { region, allCategories: CATEGORIES, allFlags: FLAGS, urgencies: URGENCIES, ...choices };
    const input: Record<string, unknown> =
      Object.keys(q).length === 0
        ? { municipalityId: "", categories: [WHERE_DEFAULT_CATEGORY], urgency: "P0", flags: [], time: localInput(deps.clock(), region.timezone) }
        : q;
    const f = whereForm.safeParse(input);
    const v = { ...input, categories: asArray(input.categories), flags: asArray(input.flags) };
    if (!f.success) {
      return renderPage(deps, req, reply, "admin-where", { ...base, v, errors: fieldErrors(f.error), decision: null }, 400);
    }
    if (f.data.municipalityId && !choices.municipalities.some((m) => m.id === f.data.municipalityId)) {
      return renderPage(deps, req, reply, "admin-where", { ...base, v, errors: { municipalityId: "web-err-municipality" }, decision: null }, 400);
    }
    const now = f.data.time ? zonedTimeToUtc(f.data.time, region.timezone) : deps.clock();
    const snapshot = await loadRoutingSnapshot(db);
    const decision = routeRequest(snapshot, {
      regionCode: region.code,
      municipalityId: f.data.municipalityId,
      categories: f.data.categories,
      urgency: f.data.urgency,
      flags: f.data.flags,
      now,
    });
    const localWhen = (d: Date) => formatLocalRu(region.timezone, d);
    return renderPage(deps, req, reply, "admin-where", {
      ...base,
      v: { ...v, time: f.data.time ?? localInput(now, region.timezone) },
      errors: {},
      decision,
      at: localWhen(now),
      opensAt: decision.nextOpeningAt && !decision.openNow ? localWhen(decision.nextOpeningAt) : null,
      chosenOpen: decision.overflow ? false : decision.openNow,
      // What the family would read after sending (Russian, as most families write).
      familyText: renderConfirmation(deps.i18n, "ru", { number: `${region.code}-00000`, urgency: f.data.urgency, decision, routing: snapshot, now }),
    });
  });

  // ── Coverage ── The category matrix at one urgency, and the hours of the week in which a P0 or
  // P1 would find no open queue even through the 24/7 chain.
  app.get("/admin/:region/coverage", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const q = coverageQuery.safeParse(req.query ?? {});
    const urgency = q.success ? q.data.urgency : "P2";
    const snapshot = await loadRoutingSnapshot(db);
    const now = deps.clock();
    const matrix = coverageMatrix(snapshot, region.code, urgency, now);
    const gaps = coverageGaps(snapshot, region.code, now);
    return renderPage(deps, req, reply, "admin-coverage", { region, matrix, urgency, urgencies: URGENCIES, gaps });
  });

  // ── Routing file ──
  app.get("/admin/:region/routing-file", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    return renderPage(deps, req, reply, "admin-routing-file", { region, issues: [], ok: false, json: "", summary: null });
  });

  app.get("/admin/:region/routing-file.json", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const file = await exportRoutingFile(db, region.code);
    return reply
      .type("application/json; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="routing-${region.code}.json"`)
      .send(`${JSON.stringify(file, null, 2)}\n`);
  });

  app.post("/admin/:region/routing-file", post, async (req, reply) => {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const f = uploadForm.safeParse(req.body ?? {});
    const fail = (issues: { path: string; message: string }[], json: string) =>
      renderPage(deps, req, reply, "admin-routing-file", { region, issues: inWords(req, issues), ok: false, json, summary: null }, 400);
    if (!f.success) return fail([{ path: "(file)", message: deps.i18n.t(staff.locale, "web-err-required") }], "");
    let json: unknown;
    try {
      json = JSON.parse(f.data.json);
    } catch (err) {
      // The parser's own words are English; say where it stopped instead.
      const at = /position (\d+)/.exec((err as Error).message)?.[1];
      const pos = at === undefined ? null : lineAndColumn(f.data.json, Number(at));
      return fail([{ path: "(file)", message: deps.i18n.t(localeOf(req), pos ? "web-rf-bad-json-at" : "web-rf-bad-json", pos ?? {}) }], f.data.json);
    }
    const parsed = parseRoutingFile(json);
    if (parsed.type === "error") return fail(parsed.issues, f.data.json);
    // A regional admin uploads only their own region's file (never the federal one).
    if (!("region" in parsed.file) || parsed.file.region !== region.code) {
      return fail([{ path: "region", message: deps.i18n.t(staff.locale, "web-routing-file-wrong-region", { region: region.code }) }], f.data.json);
    }
    const result = await importRoutingFile(db, parsed.file, { actor: `staff:${staff.id}`, now: deps.clock() });
    if (result.type === "error") return fail(result.issues, f.data.json);
    return renderPage(deps, req, reply, "admin-routing-file", { region, issues: [], ok: true, json: "", summary: result.summary });
  });
}
