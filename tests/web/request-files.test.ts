// The family's pictures and documents on the operator's request page (issue 15.11): listed with a
// download link, served only within the viewer's scope, always as a download with a safe type
// (an HTML or SVG file is never rendered by the browser).
import { describe, expect, it } from "vitest";
import { Browser, buildAdminTestApp, makeRequest } from "./helpers.ts";
import { seededDbPerTest } from "./seeded-db.ts";

const seeded = seededDbPerTest();

async function setup() {
  const t = await seeded();
  const db = t.db;
  const w = t.w;
  const app = await buildAdminTestApp({ db });
  const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
  const add = (data: { kind: string; fileName: string | null; mime: string | null; bytes: Buffer | null; status?: string }, requestId = r.id) =>
    db.requestAttachment.create({
      data: {
        requestId,
        channel: "telegram",
        kind: data.kind,
        status: data.status ?? "stored",
        fileName: data.fileName,
        mime: data.mime,
        size: data.bytes?.length ?? null,
        bytes: data.bytes ? new Uint8Array(data.bytes) : null,
      },
    });
  return { app, w, db, r, add };
}

describe("family files on the request page", () => {
  it("lists them with download links; a download has the file's bytes, its name and a safe type", async () => {
    const { app, r, add } = await setup();
    const pdf = Buffer.from("%PDF-1.4 eviction notice");
    const doc = await add({ kind: "document", fileName: "уведомление <b>.pdf", mime: "application/pdf", bytes: pdf });
    const photo = await add({ kind: "photo", fileName: null, mime: "image/jpeg", bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) });
    await add({ kind: "photo", fileName: null, mime: null, bytes: null, status: "pending" });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const page = await b.get(`/requests/${r.number}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`/requests/${r.number}/files/${doc.id}`);
    expect(page.body).toContain(`/requests/${r.number}/files/${photo.id}`);
    expect(page.body).toContain("уведомление &lt;b&gt;.pdf");
    expect(page.body).not.toContain("уведомление <b>");
    expect(page.body).toContain("загружается из мессенджера");

    const got = await b.get(`/requests/${r.number}/files/${doc.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(pdf)).toBe(true);
    expect(got.headers["content-type"]).toBe("application/pdf");
    expect(String(got.headers["content-disposition"])).toMatch(/^attachment; filename="[^"]*\.pdf"; filename\*=UTF-8''/);
    expect(String(got.headers["content-disposition"])).toContain(encodeURIComponent("уведомление <b>.pdf"));
    expect(got.headers["x-content-type-options"]).toBe("nosniff");
    const jpg = await b.get(`/requests/${r.number}/files/${photo.id}`);
    expect(jpg.headers["content-type"]).toBe("image/jpeg");
    expect(String(jpg.headers["content-disposition"])).toMatch(/^attachment; filename="photo-\d{4}-\d{2}-\d{2}\.jpg"/);
  });

  it("an HTML or SVG file is served as plain bytes to download, never as a page", async () => {
    const { app, r, add } = await setup();
    const svg = await add({ kind: "document", fileName: "x.svg", mime: "image/svg+xml", bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') });
    const html = await add({ kind: "document", fileName: "x.html", mime: "text/html", bytes: Buffer.from("<script>alert(1)</script>") });
    const b = new Browser(app);
    await b.login("op63@test.local");
    for (const f of [svg, html]) {
      const res = await b.get(`/requests/${r.number}/files/${f.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("application/octet-stream");
      expect(String(res.headers["content-disposition"])).toMatch(/^attachment;/);
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      // The site's policy still allows no inline script, should a browser render it anyway.
      expect(String(res.headers["content-security-policy"])).not.toContain("unsafe-inline");
    }
  });

  it("another center's operator gets 404 for the page and the file; a file of another request is 404 under this one", async () => {
    const { app, w, db, r, add } = await setup();
    const doc = await add({ kind: "document", fileName: "a.pdf", mime: "application/pdf", bytes: Buffer.from("%PDF") });
    const other = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const b = new Browser(app);
    await b.login("op67@test.local");
    expect((await b.get(`/requests/${r.number}`)).statusCode).toBe(404);
    const denied = await b.get(`/requests/${r.number}/files/${doc.id}`);
    expect(denied.statusCode).toBe(404);
    expect(denied.body).not.toContain("%PDF");
    const own = new Browser(app);
    await own.login("op63@test.local");
    expect((await own.get(`/requests/${other.number}/files/${doc.id}`)).statusCode).toBe(404);
    expect((await own.get(`/requests/${r.number}/files/..%2F..%2Fetc`)).statusCode).toBe(404);
  });

  it("without login a file is not served", async () => {
    const { app, r, add } = await setup();
    const doc = await add({ kind: "document", fileName: "a.pdf", mime: "application/pdf", bytes: Buffer.from("%PDF secret") });
    const res = await app.inject({ method: "GET", url: `/requests/${r.number}/files/${doc.id}` });
    expect(res.statusCode).not.toBe(200);
    expect(res.body).not.toContain("secret");
  });
});
