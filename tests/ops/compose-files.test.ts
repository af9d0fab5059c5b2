// The compose files cannot be run here (no Docker engine), so their shape is checked: Opora with
// SQLite on a volume, and Opora with PostgreSQL started only once PostgreSQL is healthy, reaching it
// by its service name, secrets required from .env rather than written in the file, demo off.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

type Service = { build?: string; image?: string; environment?: Record<string, string>; volumes?: string[]; depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] } };
const load = (file: string) => parse(readFileSync(file, "utf8")) as { services: Record<string, Service>; volumes: Record<string, unknown> };

describe("compose files", () => {
  it("compose.yaml: Opora built from the Dockerfile, SQLite on a named volume at /data, demo off, secrets required", () => {
    const c = load("compose.yaml");
    const opora = c.services.opora;
    expect(opora?.build).toBe(".");
    expect(opora?.environment?.DEMO).toBe("false");
    expect(opora?.environment?.SESSION_SECRET).toMatch(/^\$\{SESSION_SECRET:\?/);
    expect(opora?.volumes).toContain("opora-data:/data");
    expect(Object.keys(c.volumes)).toContain("opora-data");
  });

  it("compose.postgres.yaml: Opora waits for a healthy PostgreSQL and reaches it by service name; the password comes from .env", () => {
    const c = load("compose.postgres.yaml");
    const opora = c.services.opora;
    const pg = c.services.postgres;
    expect(pg?.healthcheck?.test.join(" ")).toMatch(/pg_isready/);
    expect(opora?.depends_on?.postgres?.condition).toBe("service_healthy");
    expect(opora?.environment?.DATABASE_URL).toMatch(/^postgresql:\/\/opora:\$\{POSTGRES_PASSWORD\}@postgres:5432\/opora$/);
    expect(pg?.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(opora?.environment?.DEMO).toBe("false");
    expect(Object.keys(c.volumes)).toContain("opora-pg");
  });
});
