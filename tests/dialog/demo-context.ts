// The engine with the shipped demo routing data (federal fallback + the four demo regions and their
// municipalities), for tests that walk the dialog as a family of a demo region would.
import { readRegionsCsv } from "../../src/db/seed-regions.ts";
import type { EngineContext } from "../../src/dialog/engine.ts";
import { createRegionMatcher } from "../../src/dialog/region-match.ts";
import { filesToSnapshot } from "../../src/routing/routing-file.ts";
import { DEMO_ROUTING_FILES, readRoutingFile } from "../../src/routing/routing-store.ts";
import { i18n } from "./fixture.ts";

export function demoCtx(now = new Date("2026-03-02T07:00:00Z")): EngineContext {
  const regionRows = readRegionsCsv();
  const routing = filesToSnapshot(DEMO_ROUTING_FILES.map(readRoutingFile));
  const regions = regionRows.map((r) => ({ code: r.code, name: r.name, plateCodes: r.plateCodes }));
  const municipalities = routing.municipalities.map((m) => ({ ...m, aliases: m.aliases ?? [] }));
  return {
    now,
    i18n,
    localeHint: "ru",
    catalog: { regions, municipalities, matcher: createRegionMatcher(regions, municipalities) },
    routing,
    consent: { version: "v1-test", publicBaseUrl: "https://opora.example", operatorName: "АНО «Опора»", retentionDays: 180 },
    descriptionMaxLength: 1000,
  };
}
