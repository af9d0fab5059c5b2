// Server-rendered SVG charts for the statistics page: no scripts and no inline styles (the CSP
// forbids both; colours come from classes in admin.css), each with <title>/<desc> for screen
// readers — the page puts a table with the same numbers next to every chart.

const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");

export interface Series {
  label: string;
  /** CSS class giving the colour (s0…s11, bar-kept, bar-late, bar-pending). */
  cls: string;
  values: number[];
}

interface ChartText {
  /** Unique on the page: ids of <title> and <desc>. */
  id: string;
  title: string;
  desc: string;
}

/** A "nice" axis maximum ≥ max: 1, 2, 5 × 10^n. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function frame(t: ChartText, width: number, height: number, body: string): string {
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${t.id}-t ${t.id}-d" xmlns="http://www.w3.org/2000/svg"><title id="${t.id}-t">${esc(t.title)}</title><desc id="${t.id}-d">${esc(t.desc)}</desc>${body}</svg>`;
}

/** Vertical stacked bars: one bar per label (day or week), segments per series. */
export function stackedColumns(t: ChartText & { labels: string[]; series: Series[] }): string {
  const width = 760;
  const height = 240;
  const left = 40;
  const bottom = 36;
  const top = 10;
  const plotW = width - left - 10;
  const plotH = height - bottom - top;
  const totals = t.labels.map((_, i) => t.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const step = plotW / Math.max(1, t.labels.length);
  const barW = Math.max(1, step * 0.8);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  for (const f of [0, 0.5, 1]) {
    const v = max * f;
    parts.push(`<line class="grid-line" x1="${left}" x2="${width - 10}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
    parts.push(`<text x="${left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`);
  }
  // Label at most ~12 bars so the axis stays readable.
  const every = Math.max(1, Math.ceil(t.labels.length / 12));
  t.labels.forEach((label, i) => {
    const x = left + i * step + (step - barW) / 2;
    let acc = 0;
    for (const s of t.series) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      const y0 = y(acc + v);
      const h = y(acc) - y0;
      parts.push(`<rect class="${s.cls}" x="${x.toFixed(1)}" y="${y0.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}"><title>${esc(`${label} · ${s.label}: ${v}`)}</title></rect>`);
      acc += v;
    }
    if (i % every === 0) {
      parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle">${esc(label)}</text>`);
    }
  });
  parts.push(`<line class="axis" x1="${left}" x2="${width - 10}" y1="${top + plotH}" y2="${top + plotH}"/>`);
  return frame(t, width, height, parts.join(""));
}

export interface BarRow {
  label: string;
  segments: { value: number; cls: string; label: string }[];
  /** A dashed mark on the row (e.g. the promised time). */
  marker?: number | null;
  /** Text at the end of the bar. */
  note?: string;
}

/** Horizontal (stacked) bars, one row per label, with an optional marker per row. */
export function horizontalBars(t: ChartText & { rows: BarRow[] }): string {
  const width = 760;
  const rowH = 26;
  const labelW = 300;
  const right = 100;
  const height = Math.max(1, t.rows.length) * rowH + 10;
  const plotW = width - labelW - right;
  const max = niceMax(
    Math.max(0, ...t.rows.map((r) => Math.max(r.segments.reduce((s, x) => s + x.value, 0), r.marker ?? 0))),
  );
  const x = (v: number) => labelW + (v / max) * plotW;
  const parts: string[] = [];
  t.rows.forEach((r, i) => {
    const y = 5 + i * rowH;
    const label = r.label.length > 40 ? `${r.label.slice(0, 39)}…` : r.label;
    parts.push(`<text x="${labelW - 6}" y="${y + 16}" text-anchor="end">${esc(label)}</text>`);
    let acc = 0;
    for (const s of r.segments) {
      if (s.value <= 0) continue;
      parts.push(`<rect class="${s.cls}" x="${x(acc).toFixed(1)}" y="${y + 4}" width="${Math.max(0.5, x(acc + s.value) - x(acc)).toFixed(1)}" height="${rowH - 10}"><title>${esc(`${r.label} · ${s.label}`)}</title></rect>`);
      acc += s.value;
    }
    if (r.marker != null) {
      parts.push(`<line class="promise" x1="${x(r.marker).toFixed(1)}" x2="${x(r.marker).toFixed(1)}" y1="${y + 1}" y2="${y + rowH - 3}"/>`);
    }
    if (r.note) parts.push(`<text x="${(x(acc) + 6).toFixed(1)}" y="${y + 16}">${esc(r.note)}</text>`);
  });
  parts.push(`<line class="axis" x1="${labelW}" x2="${labelW}" y1="2" y2="${height - 4}"/>`);
  return frame(t, width, height, parts.join(""));
}
