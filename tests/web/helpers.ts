// Test harness of the web view: the admin plugin on a bare Fastify app over a temp database with
// the demo routing data, staff accounts, request rows, and a tiny cookie jar for `inject`.
import type { FamilyMessenger } from "../../src/handoff/family-messages.ts";
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { createAdminPlugin } from "../../src/admin/admin-plugin.ts";
import type { AdminDeps } from "../../src/admin/web-context.ts";
import { createStaffUser } from "../../src/auth/users.ts";
import type { Db } from "../../src/db/client.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";

export const PASSWORD = "correct-horse-battery";
export const NOW = new Date("2025-03-12T09:00:00Z");

export interface AdminTestDeps {
  db: Db;
  clock?: () => Date;
  service?: DialogService;
  cookieSecure?: boolean;
  family?: FamilyMessenger;
}

export async function buildAdminTestApp(deps: AdminTestDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, trustProxy: true });
  const full: AdminDeps = {
    db: deps.db,
    log: createLogger({ level: "silent" }),
    i18n: createI18n(),
    clock: deps.clock ?? (() => NOW),
    service: deps.service,
    family: deps.family,
    config: { publicBaseUrl: "http://127.0.0.1", sessionSecret: "x".repeat(48), cookieSecure: deps.cookieSecure ?? false },
  };
  await app.register(createAdminPlugin(full));
  await app.ready();
  return app;
}

/** Demo routing (regions 63, 67, 72, 54 + federal) and one account per role we test with. */
export async function seedWorld(db: Db) {
  await loadDemoRoutingIfEmpty(db, createLogger({ level: "silent" }), NOW);
  const mk = async (email: string, role: "operator" | "regional_admin" | "superadmin", extra: { regionCode?: string; centerKeys?: string[] } = {}) => {
    const r = await createStaffUser(db, { email, password: PASSWORD, name: email.split("@")[0] ?? email, role, ...extra });
    if (r.type !== "created") throw new Error(`cannot create ${email}: ${r.type}`);
    return r.userId;
  };
  const ids = {
    opSamara: await mk("op63@test.local", "operator", { centerKeys: ["samara-deti-v-seme"] }),
    opSmolensk: await mk("op67@test.local", "operator", { centerKeys: ["smolensk-vyhod-est"] }),
    admin63: await mk("admin63@test.local", "regional_admin", { regionCode: "63" }),
    admin67: await mk("admin67@test.local", "regional_admin", { regionCode: "67" }),
    root: await mk("root@test.local", "superadmin"),
  };
  const queue = async (key: string) => (await db.queue.findUniqueOrThrow({ where: { key } })).id;
  return { ids, queues: { samara: await queue("samara-default"), smolensk: await queue("smolensk-vyhod-est") } };
}

let seq = 0;
export async function makeRequest(
  db: Db,
  data: {
    queueId: string;
    regionCode: string;
    urgency?: string;
    categories?: string[];
    description?: string;
    createdAt?: Date;
    dueAt?: Date;
    status?: string;
    isTest?: boolean;
    number?: string;
    /** Request.answers as the dialog engine writes them. */
    answers?: Record<string, unknown>;
  },
) {
  seq += 1;
  const createdAt = data.createdAt ?? new Date(NOW.getTime() - 30 * 60_000);
  return db.request.create({
    data: {
      number: data.number ?? `${data.regionCode}-${String(seq).padStart(5, "0")}`,
      channel: "telegram",
      categories: JSON.stringify(data.categories ?? ["family_conflict"]),
      urgency: data.urgency ?? "P2",
      regionCode: data.regionCode,
      queueId: data.queueId,
      description: data.description ?? "Нужна консультация",
      contactName: "Мария",
      contactPhone: "+79990000000",
      contactMethod: "call",
      contactTime: "evening",
      routingReason: "region_default",
      routingExplanation: "Очередь региона по умолчанию",
      status: data.status ?? "new",
      isTest: data.isTest ?? false,
      createdAt,
      dueAt: data.dueAt ?? new Date(createdAt.getTime() + 72 * 3600_000),
      answers: JSON.stringify(data.answers ?? { who: "parent" }),
    },
  });
}

/** A cookie jar over `inject`, with login and CSRF-token helpers. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(readonly app: FastifyInstance) {}

  private absorb(res: LightMyRequestResponse) {
    for (const c of res.cookies) {
      if (c.value === "" || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
  private header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  async get(url: string) {
    return this.absorb(await this.app.inject({ method: "GET", url, headers: { cookie: this.header() } }));
  }
  async post(url: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return this.absorb(
      await this.app.inject({
        method: "POST",
        url,
        headers: { cookie: this.header(), "content-type": "application/x-www-form-urlencoded" },
        payload: body.toString(),
      }),
    );
  }
  /** A CSRF token from a page of this session. */
  async csrf(url = "/login"): Promise<string> {
    const res = await this.get(url);
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (!m?.[1]) throw new Error(`no csrf token on ${url} (${res.statusCode})`);
    return m[1];
  }
  async postForm(url: string, form: Record<string, string | string[]>, from = url) {
    const token = await this.csrf(from);
    return this.post(url, { ...form, _csrf: token });
  }
  async login(email: string, password = PASSWORD) {
    const token = await this.csrf("/login");
    const res = await this.post("/login", { email, password, _csrf: token });
    if (res.statusCode !== 303) throw new Error(`login of ${email} failed: ${res.statusCode}`);
    return res;
  }
}
