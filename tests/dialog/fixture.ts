// Shared fixtures for the dialog tests: a small routing snapshot, the real region matcher and
// translations, and a driver that feeds events through the pure engine like a channel would.
import { readRegionsCsv } from "../../src/db/seed-regions.ts";
import { type DialogCatalog, type EngineContext, type EngineReply, type Effect, step } from "../../src/dialog/engine.ts";
import { createRegionMatcher } from "../../src/dialog/region-match.ts";
import type { InboundEvent, ReplyOption } from "../../src/dialog/service-types.ts";
import type { DialogState } from "../../src/dialog/state.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import type { RoutingSnapshot } from "../../src/routing/types.ts";

export const i18n = createI18n();
const REGIONS = readRegionsCsv();
const WEEKDAYS = { mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]] } as const;

export function fixtureSnapshot(): RoutingSnapshot {
  return {
    regions: REGIONS.map((r) => ({ code: r.code, name: r.name, timezone: r.timezone })),
    municipalities: [
      { id: "m-syzran", key: "syzran", regionCode: "63", name: "Сызрань", aliases: ["Сызрани"] },
      { id: "m-okt", key: "oktyabrsk", regionCode: "63", name: "Октябрьск", aliases: [] },
    ],
    centers: [
      { id: "c-fed", key: "federal", name: "Федеральная линия", regionCode: null, municipalityId: null, publicPhone: "8-800-000-00-00", hours: {}, is24x7: true, active: true },
      { id: "c-63", key: "samara-family", name: "Служба «Дети в семье»", regionCode: "63", municipalityId: null, publicPhone: "+7 846 000-00-00", hours: WEEKDAYS as never, is24x7: false, active: true },
    ],
    queues: [
      { id: "q-fed", key: "federal", name: "Федеральная", centerId: "c-fed", isDefault: false, isFallback: true, active: true },
      { id: "q-63", key: "samara", name: "Самара", centerId: "c-63", isDefault: true, isFallback: false, active: true },
      { id: "q-63-syz", key: "samara-syzran", name: "Сызрань", centerId: "c-63", isDefault: false, isFallback: false, active: true },
      { id: "q-63-small", key: "samara-small", name: "Малыши и особые дети", centerId: "c-63", isDefault: false, isFallback: false, active: true },
    ],
    // The municipality and two family flags change the queue (of the same center), so the dialog asks them.
    rules: [
      { id: "r-syz", key: "syzran", regionCode: "63", municipalityId: "m-syzran", categories: [], urgency: null, flags: [], queueId: "q-63-syz", priority: 10, active: true },
      { id: "r-u4", key: "under4", regionCode: "63", municipalityId: null, categories: [], urgency: null, flags: ["child_under_4"], queueId: "q-63-small", priority: 10, active: true },
      { id: "r-dis", key: "disability", regionCode: "63", municipalityId: null, categories: [], urgency: null, flags: ["child_disability"], queueId: "q-63-small", priority: 10, active: true },
    ],
  };
}

export function fixtureCatalog(snapshot: RoutingSnapshot): DialogCatalog {
  const regions = REGIONS.map((r) => ({ code: r.code, name: r.name, plateCodes: r.plateCodes }));
  const municipalities = snapshot.municipalities.map((m) => ({ ...m, aliases: m.aliases ?? [] }));
  return { regions, municipalities, matcher: createRegionMatcher(regions, municipalities) };
}

export function engineCtx(now = new Date("2026-03-02T10:00:00Z")): EngineContext {
  const routing = fixtureSnapshot();
  return {
    now,
    i18n,
    localeHint: "ru",
    catalog: fixtureCatalog(routing),
    routing,
    consent: { version: "v1-test", publicBaseUrl: "https://opora.example", operatorName: "АНО «Опора»", retentionDays: 180 },
    descriptionMaxLength: 1000,
  };
}

/** A conversation driven through the pure engine, keeping what a channel would remember. */
export class Talk {
  state: DialogState | null = null;
  replies: EngineReply[] = [];
  effects: Effect[] = [];
  all: Effect[] = [];
  constructor(public ctx: EngineContext = engineCtx()) {}
  send(event: InboundEvent): this {
    const res = step(this.state, event, this.ctx);
    this.state = res.state;
    this.replies = res.replies;
    this.effects = res.effects;
    this.all.push(...res.effects);
    return this;
  }
  text(t: string): this {
    return this.send({ type: "text", text: t });
  }
  /** Presses the option whose token ends with `.id` in the latest replies. */
  press(id: string): this {
    const opt = this.options().find((o) => o.token.endsWith(`.${id}`));
    if (!opt) throw new Error(`no option ${id} at step ${this.state?.step}; have ${this.options().map((o) => o.token).join(" ")}`);
    return this.send({ type: "option", token: opt.token });
  }
  /**
   * Ticks a category, turning the category pages as needed: first «Несколько тем» when a press would
   * otherwise answer at once, so `.cat(a).cat(b).press("done")` ticks and finishes.
   */
  cat(c: string): this {
    if (this.options().some((o) => o.token.endsWith(".multi"))) this.press("multi");
    return this.topic(c);
  }
  /** Presses a topic (turning the pages as needed): one topic answers the question at once. */
  topic(c: string): this {
    for (let i = 0; i < 3; i++) {
      if (this.options().some((o) => o.token.endsWith(`.c:${c}`))) return this.press(`c:${c}`);
      if (this.options().some((o) => o.token.endsWith(".more"))) this.press("more");
      else this.press("less");
    }
    throw new Error(`category ${c} not offered`);
  }
  options(): ReplyOption[] {
    return this.replies.flatMap((r) => (r.type === "text" || r.type === "requestContact" || r.type === "outcome" ? (r.options ?? []).flat() : []));
  }
  texts(): string {
    return this.replies.map((r) => (r.type === "text" || r.type === "requestContact" ? r.text : r.type === "outcome" ? `<${r.of}>` : "")).join("\n---\n");
  }
  get step() {
    return this.state?.step;
  }
}
