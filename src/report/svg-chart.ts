/**
 * A static line chart as inline SVG, for the self-contained run card (an HTML file that must render with no
 * script and no network: uPlot draws on a live canvas, which a saved file cannot hold).
 */
export interface SvgSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function niceNumber(x: number): string {
  const a = Math.abs(x);
  return a !== 0 && (a < 0.01 || a >= 1e4) ? x.toExponential(1) : Number(x.toPrecision(3)).toString();
}

export function svgLineChart(title: string, xLabel: string, x: number[], series: SvgSeries[], width = 520, height = 220): string {
  const pad = { l: 52, r: 16, t: 24, b: 54 };
  const ys = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  if (x.length === 0 || ys.length === 0) return `<figure class="chart"><figcaption>${esc(title)}</figcaption><p class="muted">no data</p></figure>`;
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const [x0, x1] = [Math.min(...x), Math.max(...x) === Math.min(...x) ? Math.min(...x) + 1 : Math.max(...x)];
  const px = (v: number) => pad.l + ((v - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const py = (v: number) => height - pad.b - ((v - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  const lines = series
    .map((s) => {
      const pts = s.values.map((v, i) => (v === null || !Number.isFinite(v) ? null : `${px(x[i]!).toFixed(1)},${py(v).toFixed(1)}`)).filter((p): p is string => p !== null);
      return pts.length ? `<polyline fill="none" stroke="${s.color}" stroke-width="1.6" points="${pts.join(' ')}"/>` : '';
    })
    .join('');
  const ticks = [0, 0.5, 1].map((f) => y0 + f * (y1 - y0));
  const axis = ticks.map((t) => `<line x1="${pad.l}" x2="${width - pad.r}" y1="${py(t)}" y2="${py(t)}" stroke="#e3e8ef"/><text x="${pad.l - 6}" y="${py(t) + 4}" text-anchor="end">${niceNumber(t)}</text>`).join('');
  const xt = [x0, (x0 + x1) / 2, x1].map((t) => `<text x="${px(t)}" y="${height - pad.b + 15}" text-anchor="middle">${niceNumber(t)}</text>`).join('');
  const legend = series.map((s, i) => `<tspan fill="${s.color}" dx="${i ? 12 : 0}">■</tspan><tspan dx="3">${esc(s.label)}</tspan>`).join('');
  return `<figure class="chart"><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}" font-size="11" font-family="sans-serif" fill="#16202c">
<text x="${pad.l}" y="14" font-weight="bold">${esc(title)}</text>${axis}${xt}${lines}
<text x="${(pad.l + width - pad.r) / 2}" y="${height - 20}" text-anchor="middle" fill="#4a5868">${esc(xLabel)}</text>
<text x="${pad.l}" y="${height - 4}">${legend}</text></svg></figure>`;
}
