// The operator's queue read from the database: scope, view, filters, search, order and paging all
// happen in SQL, so no number of open requests can push an urgent one out of sight.
//
// The order (P0 waiting for first contact, then other waiting requests by their deadline, then the
// contacted ones by age) is not one ORDER BY expression Prisma can write, so the queue is read as
// three consecutive segments, each with its own indexed ORDER BY; a page is cut across them using
// their counts. Closed requests are listed newest-closed first.
import type { Db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { ALL_STATUSES, OPEN_STATUSES, type RequestStatus } from "./queue-order.ts";

export const QUEUE_VIEWS = ["new", "mine", "open", "closed"] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];
export const CLOSED_STATUSES = ["resolved", "closed"] as const;
export const QUEUE_PAGE_SIZE = 50;
export const SEARCH_MAX_LENGTH = 100;

export interface QueueQuery {
  view: QueueView;
  status?: RequestStatus;
  urgency?: string;
  category?: string;
  /** Request number, the last digits of the phone, or words of the description. */
  search?: string;
  /** 1-based. */
  page: number;
  pageSize?: number;
}

/** Who is asking: scope is the Prisma filter of the requests they may see (web-context requestScope). */
export interface QueueViewer {
  id: string;
  scope: Prisma.RequestWhereInput;
}

const queueRowInclude = {
  queue: { include: { center: true } },
  municipality: true,
  region: true,
  assignee: true,
} satisfies Prisma.RequestInclude;

export type QueueRequestRow = Prisma.RequestGetPayload<{ include: typeof queueRowInclude }>;

export interface QueuePage {
  rows: QueueRequestRow[];
  total: number;
  page: number;
  pages: number;
  pageSize: number;
}

const isCategory = /^[a-z_]{1,40}$/;

/** Description words in the case variants SQLite's LIKE cannot fold itself (it folds ASCII only). */
function caseVariants(word: string): string[] {
  const lower = word.toLocaleLowerCase("ru-RU");
  const cap = lower.charAt(0).toLocaleUpperCase("ru-RU") + lower.slice(1);
  return [...new Set([word, lower, cap, lower.toLocaleUpperCase("ru-RU")])];
}

/** The search box as a filter: number, phone ending or all words of the description. */
export function searchWhere(raw: string): Prisma.RequestWhereInput | null {
  // LIKE wildcards typed by a person are not wildcards to them.
  if (raw.trim().length === 0) return null;
  const q = raw.replace(/[%_\\]/g, " ").trim().slice(0, SEARCH_MAX_LENGTH);
  // Only wildcards typed: nothing can match them literally in a number, phone or sentence worth finding.
  if (q.length === 0) return { id: { in: [] } };
  const or: Prisma.RequestWhereInput[] = [{ number: { contains: q } }];
  const digits = q.replace(/\D/g, "");
  if (/^[\d\s+()-]+$/.test(q) && digits.length >= 3) or.push({ contactPhone: { endsWith: digits } });
  const words = q.split(/\s+/).filter((w) => w.length >= 2).slice(0, 8);
  if (words.length > 0) {
    or.push({ AND: words.map((w) => ({ OR: caseVariants(w).map((v) => ({ description: { contains: v } })) })) });
  }
  return { OR: or };
}

/** Everything but the order: scope, test requests, view, status, urgency, category, search. */
export function queueWhere(viewer: QueueViewer, q: QueueQuery): Prisma.RequestWhereInput {
  const and: Prisma.RequestWhereInput[] = [viewer.scope, { isTest: false }];
  const viewStatuses: readonly string[] = q.view === "closed" ? CLOSED_STATUSES : OPEN_STATUSES;
  and.push({ status: q.status ?? { in: [...viewStatuses] } });
  if (q.view === "new") and.push({ assigneeId: null });
  if (q.view === "mine") and.push({ assigneeId: viewer.id });
  if (q.urgency) and.push({ urgency: q.urgency });
  // Categories are a JSON array of codes: a quoted code matches exactly one element.
  if (q.category && isCategory.test(q.category)) and.push({ categories: { contains: `"${q.category}"` } });
  if (q.search) {
    const s = searchWhere(q.search);
    if (s) and.push(s);
  }
  return { AND: and };
}

interface Segment {
  where: Prisma.RequestWhereInput;
  orderBy: Prisma.RequestOrderByWithRelationInput[];
}

function segmentsOf(base: Prisma.RequestWhereInput, view: QueueView): Segment[] {
  if (view === "closed") return [{ where: base, orderBy: [{ closedAt: "desc" }, { id: "desc" }] }];
  const byDeadline: Prisma.RequestOrderByWithRelationInput[] = [{ dueAt: "asc" }, { createdAt: "asc" }, { id: "asc" }];
  return [
    { where: { AND: [base, { urgency: "P0", firstContactAt: null }] }, orderBy: byDeadline },
    { where: { AND: [base, { urgency: { not: "P0" }, firstContactAt: null }] }, orderBy: byDeadline },
    { where: { AND: [base, { firstContactAt: { not: null } }] }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
  ];
}

export async function loadQueuePage(db: Db, viewer: QueueViewer, q: QueueQuery): Promise<QueuePage> {
  const pageSize = q.pageSize ?? QUEUE_PAGE_SIZE;
  const segments = segmentsOf(queueWhere(viewer, q), q.view);
  const counts = await Promise.all(segments.map((s) => db.request.count({ where: s.where })));
  const total = counts.reduce((a, b) => a + b, 0);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.floor(q.page)), pages);
  let skip = (page - 1) * pageSize;
  let want = pageSize;
  const rows: QueueRequestRow[] = [];
  for (const [i, seg] of segments.entries()) {
    const count = counts[i] ?? 0;
    if (want === 0) break;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    const part = await db.request.findMany({ where: seg.where, orderBy: seg.orderBy, skip, take: want, include: queueRowInclude });
    rows.push(...part);
    want -= part.length;
    skip = 0;
  }
  return { rows, total, page, pages, pageSize };
}

/** Open requests in scope by urgency (P0..P3), whatever view or filter is chosen. */
export async function countOpenByUrgency(db: Db, viewer: QueueViewer): Promise<Record<string, number>> {
  const groups = await db.request.groupBy({
    by: ["urgency"],
    where: { AND: [viewer.scope, { isTest: false, status: { in: [...OPEN_STATUSES] } }] },
    _count: { _all: true },
  });
  const out: Record<string, number> = { P0: 0, P1: 0, P2: 0, P3: 0 };
  for (const g of groups) out[g.urgency] = g._count._all;
  return out;
}

/** P0 requests in scope still waiting for first contact: the banner shows them whatever the filter. */
export async function waitingP0Numbers(db: Db, viewer: QueueViewer, limit = 20): Promise<string[]> {
  const rows = await db.request.findMany({
    where: { AND: [viewer.scope, { isTest: false, urgency: "P0", firstContactAt: null, status: { in: [...OPEN_STATUSES] } }] },
    orderBy: [{ dueAt: "asc" }, { id: "asc" }],
    take: limit,
    select: { number: true },
  });
  return rows.map((r) => r.number);
}

/**
 * A cheap fingerprint of the open queue in scope (how many open requests, their latest change),
 * read through the (scope, status) indexes: the live stream sends an update only when it changes.
 * A request that closes leaves the open set, so closing is seen too.
 */
export async function queueFingerprint(db: Db, viewer: QueueViewer): Promise<string> {
  const agg = await db.request.aggregate({
    where: { AND: [viewer.scope, { isTest: false, status: { in: [...OPEN_STATUSES] } }] },
    _count: { _all: true },
    _max: { updatedAt: true },
  });
  return `${agg._count._all}:${agg._max.updatedAt?.getTime() ?? 0}`;
}

export const isStatus = (s: string): s is RequestStatus => (ALL_STATUSES as readonly string[]).includes(s);
