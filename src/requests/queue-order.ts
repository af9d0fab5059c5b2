// Order of an operator's queue: P0 first, then by how overdue against the urgency promise
// (the earliest `dueAt` is the most overdue, or the closest to it), then the oldest.
// Requests that already had a first contact no longer run against the promise: they go after.

export const OPEN_STATUSES = ["new", "in_progress", "contacted", "unreachable"] as const;
export const ALL_STATUSES = ["new", "in_progress", "contacted", "unreachable", "resolved", "closed"] as const;
export type RequestStatus = (typeof ALL_STATUSES)[number];

export interface QueueOrderItem {
  urgency: string;
  dueAt: Date;
  createdAt: Date;
  firstContactAt: Date | null;
}

function waiting(r: QueueOrderItem): boolean {
  return r.firstContactAt === null;
}

export function compareQueueItems(a: QueueOrderItem, b: QueueOrderItem): number {
  const aP0 = a.urgency === "P0" && waiting(a) ? 0 : 1;
  const bP0 = b.urgency === "P0" && waiting(b) ? 0 : 1;
  if (aP0 !== bP0) return aP0 - bP0;
  const aw = waiting(a) ? 0 : 1;
  const bw = waiting(b) ? 0 : 1;
  if (aw !== bw) return aw - bw;
  if (aw === 0) {
    const due = a.dueAt.getTime() - b.dueAt.getTime();
    if (due !== 0) return due;
  }
  return a.createdAt.getTime() - b.createdAt.getTime();
}

export function sortQueue<T extends QueueOrderItem>(items: readonly T[]): T[] {
  return [...items].sort(compareQueueItems);
}

/** Milliseconds left before the promise (negative = overdue); null once the family was contacted. */
export function timeLeftMs(r: QueueOrderItem, now: Date): number | null {
  return waiting(r) ? r.dueAt.getTime() - now.getTime() : null;
}
