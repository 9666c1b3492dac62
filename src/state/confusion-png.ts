/**
 * Confusion matrices as a PNG for reports: one heat map per arm (counts summed over the seeds), rows = true
 * class, columns = predicted, cell colour = share of the row (so a rare class's errors show as clearly as a
 * common one's), the count written in each cell. Drawn by hand on a canvas: a charting library buys nothing
 * for a grid of squares.
 */
import { armLabel, type ClassifyExperiment } from '../pipeline/classify-record.ts';

/** Summed [true][predicted] counts per arm label, in the order arms appear in the results. */
export function confusionByArm(e: ClassifyExperiment): { label: string; matrix: number[][]; runs: number }[] {
  const out = new Map<string, { matrix: number[][]; runs: number }>();
  const k = e.classes.length;
  for (const r of e.results) {
    const label = armLabel(r.arm, r.extra, e.options.extras[0]);
    const acc = out.get(label) ?? { matrix: Array.from({ length: k }, () => new Array<number>(k).fill(0)), runs: 0 };
    r.confusion.forEach((row, i) => row.forEach((v, j) => (acc.matrix[i]![j]! += v)));
    acc.runs++;
    out.set(label, acc);
  }
  return [...out].map(([label, v]) => ({ label, ...v }));
}

/** Colour for a row share in [0, 1]: white to the app's accent blue (text switches to white on dark cells). */
export function heatColour(share: number): { fill: string; ink: string } {
  const t = Math.min(1, Math.max(0, share));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return { fill: `rgb(${mix(255, 31)}, ${mix(255, 95)}, ${mix(255, 168)})`, ink: t > 0.55 ? '#ffffff' : '#16202c' };
}

export async function confusionPng(e: ClassifyExperiment): Promise<Uint8Array> {
  const arms = confusionByArm(e);
  if (arms.length === 0) throw new Error('This experiment has no finished runs to draw.');
  const k = e.classes.length;
  const cell = Math.max(28, Math.min(64, Math.floor(360 / k)));
  const labelW = 110;
  const top = 64;
  const panelW = labelW + k * cell + 24;
  const width = panelW * arms.length + 16;
  const height = top + k * cell + 48;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a canvas.');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  arms.forEach((a, p) => {
    const x0 = 16 + p * panelW + labelW;
    ctx.fillStyle = '#16202c';
    ctx.font = 'bold 14px sans-serif';
    ctx.textAlign = 'left';
    ctx.fillText(`${a.label} (${a.runs} run${a.runs === 1 ? '' : 's'}, summed)`, 16 + p * panelW, 20);
    ctx.font = '11px sans-serif';
    ctx.fillStyle = '#4a5868';
    ctx.fillText('rows: true class · columns: predicted', 16 + p * panelW, 38);
    a.matrix.forEach((row, i) => {
      const total = row.reduce((s, v) => s + v, 0);
      ctx.textAlign = 'right';
      ctx.fillStyle = '#16202c';
      ctx.font = '12px sans-serif';
      ctx.fillText(clip(e.classes[i] ?? String(i), 14), x0 - 6, top + i * cell + cell / 2 + 4);
      row.forEach((v, j) => {
        const { fill, ink } = heatColour(total ? v / total : 0);
        ctx.fillStyle = fill;
        ctx.fillRect(x0 + j * cell, top + i * cell, cell - 1, cell - 1);
        ctx.fillStyle = ink;
        ctx.textAlign = 'center';
        ctx.font = `${i === j ? 'bold ' : ''}12px sans-serif`;
        ctx.fillText(String(v), x0 + j * cell + cell / 2, top + i * cell + cell / 2 + 4);
      });
    });
    ctx.fillStyle = '#16202c';
    ctx.font = '12px sans-serif';
    e.classes.forEach((c, j) => {
      ctx.save();
      ctx.translate(x0 + j * cell + cell / 2, top + k * cell + 8);
      ctx.textAlign = 'center';
      ctx.fillText(clip(c, Math.max(4, Math.floor(cell / 7))), 0, 8);
      ctx.restore();
    });
  });
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}
