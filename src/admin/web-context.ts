// Shared pieces of the web view: dependencies, the signed-in staff member, scope checks,
// page rendering with translations and formatting helpers.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ChannelStatus } from "../channels/channel-status.ts";
import type { Db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { FamilyMessenger } from "../handoff/family-messages.ts";
import type { DialogService } from "../dialog/service-types.ts";
import { describeUrgencyReasons, type ReasonLine } from "../dialog/urgency-reasons.ts";
import { CATEGORIES, FLAGS } from "../domain/taxonomy.ts";
import type { I18n, Locale, TranslateArgs } from "../i18n/i18n.ts";
import type { Logger } from "../logging/logger.ts";

export interface AdminConfig {
  publicBaseUrl: string;
  sessionSecret: string;
  cookieSecure: boolean;
  consentVersion?: string;
  operatorName?: string;
  /** RETENTION_DAYS, named in the consent text. */
  retentionDays?: number;
}

export interface AdminDeps {
  db: Db;
  log: Logger;
  i18n: I18n;
  clock: () => Date;
  config: AdminConfig;
  /** The dialog service, for the "try the dialog" page (web channel). Optional. */
  service?: DialogService;
  /** Writes to families through the bot (relay, "taken"/"closed" updates). Optional in tests. */
  family?: FamilyMessenger;
  /** Each messenger's state, shown on the admin overview (channel-status.ts). Optional in tests. */
  channels?: () => ChannelStatus[];
}

export type StaffRole = "operator" | "regional_admin" | "superadmin";

export interface Staff {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  regionCode: string | null;
  locale: Locale;
  centerIds: string[];
  /** IANA timezone times are shown in: the staff member's region, else Moscow. */
  timeZone: string;
}

declare module "fastify" {
  interface Session {
    userId?: string;
    locale?: string;
  }
  interface FastifyRequest {
    staff: Staff | null;
  }
}

/** A page or fragment that a route decided to answer with a status other than 200. */
export class HttpProblem extends Error {
  constructor(
    readonly statusCode: 403 | 404 | 409 | 400,
    readonly code: string,
  ) {
    super(code);
  }
}

export const notFound = (): HttpProblem => new HttpProblem(404, "not_found");

export function requireStaff(req: FastifyRequest): Staff {
  if (!req.staff) throw new HttpProblem(403, "login_required");
  return req.staff;
}

/** Regions a staff member administers: one for a regional admin, every one for a superadmin. */
export function canAdminRegion(staff: Staff, regionCode: string): boolean {
  return staff.role === "superadmin" || (staff.role === "regional_admin" && staff.regionCode === regionCode);
}

/** Prisma filter of the requests a staff member may see (and act on). */
export function requestScope(staff: Staff): Prisma.RequestWhereInput {
  if (staff.role === "superadmin") return {};
  if (staff.role === "regional_admin") return { regionCode: staff.regionCode ?? "__none__" };
  return { queue: { centerId: { in: staff.centerIds } } };
}

/** The language an anonymous visitor picked (signed-in staff keep it in their account). */
export const LOCALE_COOKIE = "opora_lang";

export function localeOf(req: FastifyRequest): Locale {
  const l = req.staff?.locale ?? req.session?.locale ?? req.cookies?.[LOCALE_COOKIE];
  return l === "en" ? "en" : "ru";
}

export function parseJsonArray(raw: string | null | undefined): string[] {
  try {
    const v = JSON.parse(raw ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

export function parseJsonObject(raw: string | null | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(raw ?? "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export interface ViewHelpers {
  t(key: string, args?: TranslateArgs): string;
  category(code: string): string;
  flag(code: string): string;
  status(code: string): string;
  dateTime(d: Date | null | undefined): string;
  duration(ms: number): string;
  age(d: Date): string;
  /** Label of an audit action code, or the code itself when it has no text. */
  action(code: string): string;
  /** Why a request has its urgency (Request.urgencyReasons JSON), labelled, most urgent first. */
  urgencyReasons(raw: unknown): ReasonLine[];
}

export function viewHelpers(i18n: I18n, locale: Locale, now: Date, timeZone = "Europe/Moscow"): ViewHelpers {
  const t = (key: string, args?: TranslateArgs) => i18n.t(locale, key, args);
  const fmt = new Intl.DateTimeFormat(locale === "ru" ? "ru-RU" : "en-GB", {
    dateStyle: "short",
    timeStyle: "short",
    timeZone,
  });
  const duration = (ms: number) => {
    const abs = Math.abs(ms);
    const minutes = Math.floor(abs / 60_000);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const mins = minutes % 60;
    if (days > 0) return t("web-duration-dh", { d: days, h: hours });
    if (hours > 0) return t("web-duration-hm", { h: hours, m: mins });
    return t("web-duration-m", { m: mins });
  };
  return {
    t,
    category: (code) => ((CATEGORIES as readonly string[]).includes(code) ? t(`web-cat-${code}`) : code),
    flag: (code) => ((FLAGS as readonly string[]).includes(code) ? t(`web-flag-${code}`) : code),
    status: (code) => t(`web-status-${code}`),
    dateTime: (d) => (d ? fmt.format(d) : "—"),
    duration,
    age: (d) => duration(now.getTime() - d.getTime()),
    action: (code) => {
      const key = `web-audit-${code.replaceAll(".", "-")}`;
      return i18n.has(locale, key) ? t(key) : code;
    },
    urgencyReasons: (raw) => describeUrgencyReasons(raw, locale, t),
  };
}

export interface NavItem {
  href: string;
  label: string;
  active: boolean;
}

export interface RenderDeps {
  deps: AdminDeps;
}

/** Whom a CSRF token belongs to: the signed-in account, or nobody yet (must not be empty). */
export function csrfUserInfo(req: FastifyRequest): string {
  return req.session?.userId ? `user:${req.session.userId}` : "anonymous";
}

/** Renders a page with the layout: helpers, the signed-in staff member, a CSRF token, navigation. */
export async function renderPage(
  deps: AdminDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  view: string,
  data: Record<string, unknown>,
  status = 200,
): Promise<FastifyReply> {
  const locale = localeOf(req);
  const now = deps.clock();
  const h = viewHelpers(deps.i18n, locale, now, req.staff?.timeZone);
  const staff = req.staff;
  const path = req.url.split("?")[0] ?? "/";
  const nav: NavItem[] = [];
  if (staff) {
    nav.push({ href: "/queue", label: h.t("web-nav-queue"), active: path.startsWith("/queue") || path.startsWith("/requests") });
    if (staff.role !== "operator") {
      nav.push({ href: "/admin", label: h.t("web-nav-admin"), active: path.startsWith("/admin") });
    }
    nav.push({ href: "/account", label: h.t("web-nav-account"), active: path.startsWith("/account") });
  }
  const html = await reply.viewAsync(view, {
    ...data,
    h,
    t: h.t,
    locale,
    staff,
    nav,
    path,
    // Bound to the signed-in account: a token from another session or from before login is refused.
    csrf: reply.generateCsrf({ userInfo: csrfUserInfo(req) }),
    title: data.title ?? h.t("web-app-title"),
  });
  return reply.code(status).type("text/html; charset=utf-8").send(html);
}
