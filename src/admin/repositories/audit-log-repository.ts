// The region's audit log as its admin reads it: a page of rows, newest first, with the names of the
// people who acted and of the objects they changed looked up in a few queries per page — never ids.
import type { Db } from "../../db/client.ts";
import type { AuditLog } from "../../generated/prisma/client.ts";

/** How an audit row's object is shown: a kind (translated in the view), a name, and a link when there is a page. */
export interface AuditEntity {
  kind: string;
  name: string | null;
  href: string | null;
}

type EntityRef = Pick<AuditLog, "entityType" | "entityId" | "requestId">;

export interface AuditPage {
  rows: AuditLog[];
  hasMore: boolean;
  /** Names of the staff who acted, by id. */
  actorNames: Map<string, string>;
  entity(row: EntityRef): AuditEntity;
}

/** Page `page` (from 1) of `size` rows of the region's log. */
export async function auditLogPage(db: Db, regionCode: string, page: number, size: number): Promise<AuditPage> {
  const fetched = await db.auditLog.findMany({ where: { regionCode }, orderBy: { id: "desc" }, skip: (page - 1) * size, take: size + 1 });
  const rows = fetched.slice(0, size);
  const actorIds = [...new Set(rows.map((r) => r.actorId).filter((x): x is string => !!x))];
  const [entity, actors] = await Promise.all([
    auditEntities(db, regionCode, rows),
    db.staffUser.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } }),
  ]);
  return { rows, hasMore: fetched.length > size, actorNames: new Map(actors.map((u) => [u.id, u.name])), entity };
}

/**
 * Names and links for the objects of audit rows. Centers, queues, municipalities and rules are
 * written by key (or id); requests by number or id; staff by id; families' pseudonymous ids are
 * never shown.
 */
async function auditEntities(db: Db, regionCode: string, rows: EntityRef[]): Promise<(r: EntityRef) => AuditEntity> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.entityType === type).map((r) => r.entityId))];
  const requestIds = [...new Set(rows.map((r) => r.requestId).filter((x): x is number => x !== null))];
  const requestKeys = ids("request");
  const [centers, queues, municipalities, rules, staff, requests] = await Promise.all([
    db.center.findMany({ where: { OR: [{ key: { in: ids("center") } }, { id: { in: ids("center") } }] }, select: { id: true, key: true, name: true, regionCode: true } }),
    db.queue.findMany({ where: { OR: [{ key: { in: ids("queue") } }, { id: { in: ids("queue") } }] }, select: { id: true, key: true, name: true } }),
    db.municipality.findMany({ where: { regionCode, OR: [{ key: { in: ids("municipality") } }, { id: { in: ids("municipality") } }] }, select: { id: true, key: true, name: true } }),
    db.routingRule.findMany({ where: { regionCode, OR: [{ key: { in: ids("rule") } }, { id: { in: ids("rule") } }] }, select: { id: true, key: true, note: true } }),
    db.staffUser.findMany({ where: { id: { in: ids("staff_user") } }, select: { id: true, name: true } }),
    db.request.findMany({
      where: {
        OR: [{ id: { in: [...requestIds, ...requestKeys.filter((k) => /^\d+$/.test(k)).map(Number)] } }, { number: { in: requestKeys } }],
      },
      select: { id: true, number: true },
    }),
  ]);
  const byKeyOrId = <T extends { id: string; key: string }>(list: T[]) => {
    const m = new Map<string, T>();
    for (const x of list) {
      m.set(x.key, x);
      m.set(x.id, x);
    }
    return m;
  };
  const c = byKeyOrId(centers);
  const qm = byKeyOrId(queues);
  const mm = byKeyOrId(municipalities);
  const rm = byKeyOrId(rules);
  const sm = new Map(staff.map((x) => [x.id, x.name]));
  const reqById = new Map(requests.map((x) => [x.id, x]));
  const reqByNumber = new Map(requests.map((x) => [x.number, x]));
  const base = `/admin/${regionCode}`;
  return (r) => {
    switch (r.entityType) {
      case "center": {
        const x = c.get(r.entityId);
        return { kind: "center", name: x?.name ?? null, href: x && x.regionCode === regionCode ? `${base}/centers/${x.id}` : null };
      }
      case "queue": {
        const x = qm.get(r.entityId);
        return { kind: "queue", name: x?.name ?? null, href: x ? `${base}/queues/${x.id}` : null };
      }
      case "municipality": {
        const x = mm.get(r.entityId);
        return { kind: "municipality", name: x?.name ?? null, href: x ? `${base}/municipalities/${x.id}` : null };
      }
      case "rule": {
        const x = rm.get(r.entityId);
        return { kind: "rule", name: x ? (x.note ?? x.key) : null, href: x ? `${base}/rules/${x.id}` : null };
      }
      case "staff_user":
        return { kind: "staff_user", name: sm.get(r.entityId) ?? null, href: sm.has(r.entityId) ? `${base}/users` : null };
      case "request": {
        const x = (r.requestId !== null ? reqById.get(r.requestId) : undefined) ?? reqByNumber.get(r.entityId) ?? (/^\d+$/.test(r.entityId) ? reqById.get(Number(r.entityId)) : undefined);
        return { kind: "request", name: x?.number ?? null, href: x ? `/requests/${encodeURIComponent(x.number)}` : null };
      }
      case "routing_file":
        return { kind: "routing_file", name: null, href: `${base}/routing-file` };
      case "region":
        return { kind: "region", name: null, href: `${base}/holidays` };
      default:
        // Consent, conversation and anything new: the kind only (their ids are pseudonyms of families).
        return { kind: r.entityType, name: null, href: null };
    }
  };
}
