// The operator's queue: open requests of the centers they belong to (or the region / everything
// for admins), P0 first, then by overdue, then oldest; a fragment the page polls every 10 s.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { CATEGORIES, URGENCIES } from "../../domain/taxonomy.ts";
import { ALL_STATUSES, OPEN_STATUSES, sortQueue, timeLeftMs } from "../../requests/queue-order.ts";
import { type AdminDeps, HttpProblem, parseJsonArray, renderPage, requestScope, requireStaff, type Staff } from "../web-context.ts";

const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);
export const queueFilters = z.object({
  status: z.preprocess(emptyToUndefined, z.enum(ALL_STATUSES).optional()),
  urgency: z.preprocess(emptyToUndefined, z.enum(URGENCIES).optional()),
  category: z.preprocess(emptyToUndefined, z.enum(CATEGORIES).optional()),
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
  timeLeft: number | null;
  status: string;
  assignee: string | null;
  mine: boolean;
  p0Waiting: boolean;
}

export async function loadQueueRows(deps: AdminDeps, staff: Staff, f: QueueFilters, now: Date): Promise<QueueRow[]> {
  const rows = await deps.db.request.findMany({
    where: {
      ...requestScope(staff),
      isTest: false,
      status: f.status ?? { in: [...OPEN_STATUSES] },
      ...(f.urgency ? { urgency: f.urgency } : {}),
    },
    include: { queue: { include: { center: true } }, municipality: true, region: true, assignee: true },
    take: 1000,
  });
  const filtered = f.category ? rows.filter((r) => parseJsonArray(r.categories).includes(f.category as string)) : rows;
  return sortQueue(filtered).map((r) => ({
    number: r.number,
    urgency: r.urgency,
    categories: parseJsonArray(r.categories),
    region: r.region.name,
    municipality: r.municipality?.name ?? null,
    queueName: r.queue.name,
    centerName: r.queue.center.name,
    createdAt: r.createdAt,
    timeLeft: r.status === "resolved" || r.status === "closed" ? null : timeLeftMs(r, now),
    status: r.status,
    assignee: r.assignee?.name ?? null,
    mine: r.assigneeId === staff.id,
    p0Waiting: r.urgency === "P0" && r.firstContactAt === null && (OPEN_STATUSES as readonly string[]).includes(r.status),
  }));
}

async function parseFilters(req: FastifyRequest): Promise<QueueFilters> {
  const parsed = queueFilters.safeParse(req.query ?? {});
  if (!parsed.success) throw new HttpProblem(400, "bad_filter");
  return parsed.data;
}

export function registerQueueRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const page = async (req: FastifyRequest, reply: FastifyReply, view: "queue" | "queue-live") => {
    const staff = requireStaff(req);
    const filters = await parseFilters(req);
    const rows = await loadQueueRows(deps, staff, filters, deps.clock());
    const query = new URLSearchParams(
      Object.entries(filters).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])),
    ).toString();
    return renderPage(deps, req, reply, view, {
      rows,
      filters,
      query,
      p0: rows.filter((r) => r.p0Waiting).map((r) => r.number),
      statuses: ALL_STATUSES,
      urgencies: URGENCIES,
      categories: CATEGORIES,
      title: deps.i18n.t(staff.locale, "web-queue-title"),
    });
  };
  app.get("/queue", (req, reply) => page(req, reply, "queue"));
  app.get("/queue/rows", (req, reply) => page(req, reply, "queue-live"));
}
