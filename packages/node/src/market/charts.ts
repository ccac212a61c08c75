/**
 * Plain SVG charts, written by hand (no plotting dependency): line charts over slots and bar
 * charts with error bars. Deterministic text output, so a seed reproduces the files byte for byte.
 */

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
const FONT = 'font-family="sans-serif" font-size="11"';

export interface Series {
  name: string;
  points: [number, number][];
}

export interface Bar {
  name: string;
  mean: number | null;
  sd: number | null;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

/** "Nice" axis ticks over [min, max]. */
function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Frame {
  width: number;
  height: number;
}

const MARGIN = { left: 60, right: 150, top: 28, bottom: 36 };

/** One line chart as an SVG group of `frame` size. */
export function lineChart(title: string, series: Series[], yLabel: string, frame: Frame): string {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, 1);
  const y0 = Math.min(0, ...ys);
  const y1 = Math.max(...ys, y0 + 1e-9);
  const w = frame.width - MARGIN.left - MARGIN.right;
  const h = frame.height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * w;
  const sy = (y: number) => MARGIN.top + h - ((y - y0) / (y1 - y0)) * h;
  const parts: string[] = [axes(title, yLabel, "slot", frame)];
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 4}" y="${sy(t) + 4}" text-anchor="end" ${FONT}>${fmt(t)}</text>`);
  }
  for (const t of ticks(x0, x1)) {
    parts.push(`<text x="${sx(t)}" y="${MARGIN.top + h + 14}" text-anchor="middle" ${FONT}>${fmt(t)}</text>`);
  }
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const d = s.points.map((p, k) => `${k === 0 ? "M" : "L"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join("");
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.2"/>`);
    parts.push(legend(i, s.name, color, frame));
  });
  return parts.join("\n");
}

/** Grouped bars with ±sd whiskers, one group per label. */
export function barChart(title: string, groups: BarGroup[], yLabel: string, frame: Frame): string {
  const values = groups.flatMap((g) => g.bars.map((b) => (b.mean ?? 0) + (b.sd ?? 0)));
  const lows = groups.flatMap((g) => g.bars.map((b) => (b.mean ?? 0) - (b.sd ?? 0)));
  const y0 = Math.min(0, ...lows);
  const y1 = Math.max(1e-9, ...values);
  const w = frame.width - MARGIN.left - MARGIN.right;
  const h = frame.height - MARGIN.top - MARGIN.bottom - 40;
  const sy = (y: number) => MARGIN.top + h - ((y - y0) / (y1 - y0)) * h;
  const parts: string[] = [axes(title, yLabel, "", frame)];
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 4}" y="${sy(t) + 4}" text-anchor="end" ${FONT}>${fmt(t)}</text>`);
  }
  const groupWidth = w / Math.max(1, groups.length);
  const barCount = Math.max(1, ...groups.map((g) => g.bars.length));
  const barWidth = (groupWidth * 0.7) / barCount;
  groups.forEach((g, gi) => {
    const gx = MARGIN.left + gi * groupWidth + groupWidth * 0.15;
    g.bars.forEach((b, bi) => {
      const color = PALETTE[bi % PALETTE.length];
      const x = gx + bi * barWidth;
      if (b.mean !== null) {
        const top = sy(Math.max(0, b.mean));
        const bottom = sy(Math.min(0, b.mean));
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth * 0.9).toFixed(1)}" height="${(bottom - top).toFixed(1)}" fill="${color}"/>`,
        );
        if (b.sd !== null) {
          const cx = (x + barWidth * 0.45).toFixed(1);
          parts.push(
            `<line x1="${cx}" x2="${cx}" y1="${sy(b.mean - b.sd).toFixed(1)}" y2="${sy(b.mean + b.sd).toFixed(1)}" stroke="#000"/>`,
          );
        }
      }
      if (gi === 0) parts.push(legend(bi, b.name, color, frame));
    });
    const lx = gx + groupWidth * 0.35;
    const ly = MARGIN.top + h + 12;
    parts.push(`<text transform="translate(${lx.toFixed(1)},${ly}) rotate(20)" ${FONT}>${esc(g.label)}</text>`);
  });
  return parts.join("\n");
}

function axes(title: string, yLabel: string, xLabel: string, frame: Frame): string {
  const h = frame.height - MARGIN.bottom;
  return [
    `<text x="${MARGIN.left}" y="16" font-family="sans-serif" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${h}" stroke="#333"/>`,
    `<text transform="translate(14,${(MARGIN.top + h) / 2}) rotate(-90)" text-anchor="middle" ${FONT}>${esc(yLabel)}</text>`,
    xLabel
      ? `<text x="${frame.width / 2}" y="${frame.height - 4}" text-anchor="middle" ${FONT}>${esc(xLabel)}</text>`
      : "",
  ].join("\n");
}

function legend(i: number, name: string, color: string, frame: Frame): string {
  const x = frame.width - MARGIN.right + 10;
  const y = MARGIN.top + 14 * i;
  return `<rect x="${x}" y="${y}" width="10" height="10" fill="${color}"/><text x="${x + 14}" y="${y + 9}" ${FONT}>${esc(name)}</text>`;
}

/** Stack panels (each `frame` tall) into one SVG document. */
export function svgDocument(panels: string[], frame: Frame): string {
  const height = frame.height * Math.max(1, panels.length);
  const body = panels.map((p, i) => `<g transform="translate(0,${i * frame.height})">\n${p}\n</g>`).join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${height}" viewBox="0 0 ${frame.width} ${height}">\n<rect width="100%" height="100%" fill="#fff"/>\n${body}\n</svg>\n`;
}
