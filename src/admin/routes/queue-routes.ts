// The operator's queue: views (new / mine / all open / closed), filters, search and paging, all in
// the database (src/requests/queue-repository.ts); a fragment the page re-fetches when the live
// stream (Server-Sent Events, polling as the fallback) says the queue changed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import { CATEGORIES, URGENCIES } from "../../domain/taxonomy.ts";
import { type ContactCaution, contactCautions } from "../../requests/contact-safety.ts";
import { ALL_STATUSES, OPEN_STATUSES, timeLeftMs } from "../../requests/queue-order.ts";
import {
  countOpenByUrgency,
  loadQueuePage,
  QUEUE_VIEWS,
  type QueueQuery,
  type QueueViewer,
  queueFingerprint,
  SEARCH_MAX_LENGTH,
  waitingP0Numbers,
} from "../../requests/queue-repository.ts";
import { type AdminDeps, HttpProblem, parseJsonArray, parseJsonObject, renderPage, requestScope, requireStaff, type Staff } from "../web-context.ts";

const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);
export const queueFilters = z.object({
  view: z.preprocess(emptyToUndefined, z.enum(QUEUE_VIEWS).default("open")),
  status: z.preprocess(emptyToUndefined, z.enum(ALL_STATUSES).optional()),
  urgency: z.preprocess(emptyToUndefined, z.enum(URGENCIES).optional()),
  category: z.preprocess(emptyToUndefined, z.enum(CATEGORIES).optional()),
  q: z.preprocess(emptyToUndefined, z.string().trim().max(SEARCH_MAX_LENGTH).optional()),
  page: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)),
});
export type QueueFilters = z.infer<typeof queueFilters>;

export interface QueueRow {
  number: string;
  urgency: string;
  categories: string[];
  region: string;
  municipality: string | null;
  queueName: string;
  centerName: string;
  createdAt: Date;
  /** Deadline of the promise, formatted with its timezone. */
  due: string;
  created: string;
  timeLeft: number | null;
  status: string;
  assignee: string | null;
  mine: boolean;
  p0Waiting: boolean;
  /** First line of the description, shortened (personal data: shown only within scope). */
  preview: string | null;
  cautions: ContactCaution[];
  /** Request.urgencyReasons as stored; the view labels them (ViewHelpers.urgencyReasons). */
  urgencyReasons: string;
}

const PREVIEW_MAX = 140;

function firstLine(text: string | null): string | null {
  if (!text) return null;
  const line = text.split(/\r?\n/).find((l) => l.trim().length > 0)?.trim() ?? "";
  if (line.length === 0) return null;
  return line.length > PREVIEW_MAX ? `${line.slice(0, PREVIEW_MAX - 1)}…` : line;
}

/** "12.03, 13:00 GMT+4": the staff member's timezone, named on every time. */
export function timeFormatter(locale: string, timeZone: string): (d: Date) => string {
  const f = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "ru-RU", {
    day: "2-digit",
    month: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "shortOffset",
  });
  return (d) => f.format(d);
}

/** "Europe/Samara (GMT+4)": said once on a page whose times are in the staff member's zone. */
export function timeZoneLabel(timeZone: string, now: Date): string {
  const offset = new Intl.DateTimeFormat("en", { timeZone, timeZoneName: "shortOffset" })
    .formatToParts(now)
    .find((p) => p.type === "timeZoneName")?.value;
  return `${timeZone} (${offset ?? "UTC"})`;
}

export function viewerOf(staff: Staff): QueueViewer {
  return { id: staff.id, scope: requestScope(staff) };
}

export async function loadQueue(deps: AdminDeps, staff: Staff, f: QueueFilters, now: Date) {
  const viewer = viewerOf(staff);
  const query: QueueQuery = { view: f.view, status: f.status, urgency: f.urgency, category: f.category, search: f.q, page: f.page };
  const [page, counts, p0] = await Promise.all([
    loadQueuePage(deps.db, viewer, query),
    countOpenByUrgency(deps.db, viewer),
    waitingP0Numbers(deps.db, viewer),
  ]);
  const fmt = timeFormatter(staff.locale, staff.timeZone);
  const rows: QueueRow[] = page.rows.map((r) => {
    const open = (OPEN_STATUSES as readonly string[]).includes(r.status);
    return {
      number: r.number,
      urgency: r.urgency,
      categories: parseJsonArray(r.categories),
      region: r.region.name,
      municipality: r.municipality?.name ?? null,
      queueName: r.queue.name,
      centerName: r.queue.center.name,
      createdAt: r.createdAt,
      created: fmt(r.createdAt),
      due: fmt(r.dueAt),
      timeLeft: open ? timeLeftMs(r, now) : null,
      status: r.status,
      assignee: r.assignee?.name ?? null,
      mine: r.assigneeId === staff.id,
      p0Waiting: r.urgency === "P0" && r.firstContactAt === null && open,
      preview: firstLine(r.description),
      cautions: contactCautions({ answers: parseJsonObject(r.answers), contactMethod: r.contactMethod }),
      urgencyReasons: r.urgencyReasons,
    };
  });
  return { page, counts, p0, rows };
}

async function parseFilters(req: FastifyRequest): Promise<QueueFilters> {
  const parsed = queueFilters.safeParse(req.query ?? {});
  if (!parsed.success) throw new HttpProblem(400, "bad_filter");
  return parsed.data;
}

function queryString(f: QueueFilters, page?: number): string {
  const entries: [string, string][] = [];
  if (f.view !== "open") entries.push(["view", f.view]);
  for (const k of ["status", "urgency", "category", "q"] as const) {
    const v = f[k];
    if (typeof v === "string" && v !== "") entries.push([k, v]);
  }
  const p = page ?? f.page;
  if (p > 1) entries.push(["page", String(p)]);
  return new URLSearchParams(entries).toString();
}

/** How often a live stream looks for changes, and how long one stream lives before the browser reconnects. */
const STREAM_TICK_MS = 2000;
const STREAM_LIFETIME_MS = 5 * 60_000;

export function registerQueueRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const page = async (req: FastifyRequest, reply: FastifyReply, view: "queue" | "queue-live") => {
    const staff = requireStaff(req);
    const filters = await parseFilters(req);
    const q = await loadQueue(deps, staff, filters, deps.clock());
    const link = (patch: Partial<QueueFilters>) => {
      const qs = queryString({ ...filters, page: 1, ...patch });
      return `/queue${qs ? `?${qs}` : ""}`;
    };
    return renderPage(deps, req, reply, view, {
      rows: q.rows,
      filters,
      query: queryString(filters),
      p0: q.p0,
      counts: q.counts,
      total: q.page.total,
      pageNo: q.page.page,
      pages: q.page.pages,
      prevHref: q.page.page > 1 ? `/queue?${queryString(filters, q.page.page - 1)}` : null,
      nextHref: q.page.page < q.page.pages ? `/queue?${queryString(filters, q.page.page + 1)}` : null,
      viewLinks: QUEUE_VIEWS.map((v) => ({ view: v, href: link({ view: v, status: undefined }), active: filters.view === v })),
      timeZoneLabel: timeZoneLabel(staff.timeZone, deps.clock()),
      statuses: ALL_STATUSES,
      urgencies: URGENCIES,
      categories: CATEGORIES,
      title: deps.i18n.t(staff.locale, "web-queue-title"),
    });
  };
  app.get("/queue", (req, reply) => page(req, reply, "queue"));
  app.get("/queue/rows", (req, reply) => page(req, reply, "queue-live"));

  // Live updates: the stream says "changed" when the queue in the viewer's scope changed; the page
  // then re-fetches its rows. Scope is fixed when the stream opens; streams end after a few minutes
  // so that the session is checked again on reconnect.
  const streams = new Set<ServerResponse>();
  app.addHook("preClose", async () => {
    for (const s of streams) s.end();
    streams.clear();
  });
  app.get("/queue/events", async (req, reply) => {
    const staff = requireStaff(req);
    const viewer = viewerOf(staff);
    let last = await queueFingerprint(deps.db, viewer);
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
      "X-Content-Type-Options": "nosniff",
    });
    out.write(`retry: 3000\nevent: ready\ndata: ${last}\n\n`);
    streams.add(out);
    let busy = false;
    const tick = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const now = await queueFingerprint(deps.db, viewer);
        if (now !== last) {
          last = now;
          out.write(`event: changed\ndata: ${now}\n\n`);
        } else {
          out.write(": ping\n\n");
        }
      } catch {
        // The database was busy for a moment: the next tick tries again.
      } finally {
        busy = false;
      }
    }, STREAM_TICK_MS);
    const stop = () => {
      clearInterval(tick);
      clearTimeout(lifetime);
      streams.delete(out);
      if (!out.writableEnded) out.end();
    };
    const lifetime = setTimeout(stop, STREAM_LIFETIME_MS);
    req.raw.on("close", stop);
  });
}
