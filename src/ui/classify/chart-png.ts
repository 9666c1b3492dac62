/**
 * The learning-curve charts shown on screen, as one PNG: uPlot draws each chart on a canvas; those canvases
 * are copied side by side under a title, with each chart's legend written below it (the legend is HTML).
 */
export async function chartPng(host: HTMLElement, title: string): Promise<Uint8Array> {
  const canvases = [...host.querySelectorAll('canvas')];
  if (!canvases.length) throw new Error('No chart to export.');
  const legends = [...host.querySelectorAll('.u-legend')].map((l) => [...l.querySelectorAll('.u-series')].map((s) => s.textContent?.trim() ?? '').filter(Boolean));
  const gap = 16;
  const head = 28;
  const foot = 22;
  const width = canvases.reduce((s, c) => s + c.width, 0) + gap * (canvases.length + 1);
  const height = Math.max(...canvases.map((c) => c.height)) + head + foot + gap;
  const out = new OffscreenCanvas(width, height);
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a canvas.');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#16202c';
  ctx.font = 'bold 14px sans-serif';
  ctx.fillText(title, gap, 20);
  let x = gap;
  canvases.forEach((c, i) => {
    ctx.drawImage(c, x, head);
    ctx.font = '11px sans-serif';
    ctx.fillStyle = '#4a5868';
    ctx.fillText((legends[i] ?? []).slice(1).join(' · '), x, head + c.height + 14);
    x += c.width + gap;
  });
  const blob = await out.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}
