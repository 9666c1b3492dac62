/**
 * The run card (issue 7 §4): one self-contained HTML file about a dataset's work in this browser — config,
 * dataset hash and counts, backend and adapter, timings, the tables in the paper's layouts, plots as inline
 * SVG and sample grids / confusion matrices as data: PNGs. No script, no external reference: it opens offline
 * in any browser, prints, and can be attached to a paper or a ticket. Its JSON twin (runCardJson) holds the
 * same facts for programs.
 */
import type { DatasetMeta } from '../data/store-types.ts';
import { tuningLines } from '../gpu/tuning-words.ts';
import { SPLITS } from '../data/types.ts';
import { pairedDifference, pct, summariseArms, type ClassifyExperiment } from '../pipeline/classify-record.ts';
import type { GeneratorRunMeta } from '../pipeline/generator-runs.ts';
import { baselineVsFinalRows, PROGRESSION_HEADER, progressionRows, segmentReportRows, type SegmentExperiment } from '../pipeline/seg-rounds-record.ts';
import type { BackendReport } from '../worker/protocol.ts';
import { svgLineChart } from './svg-chart.ts';

export interface RunCardInput {
  generatedAt: string;
  app: string;
  dataset: DatasetMeta;
  backend: BackendReport | null;
  generators: GeneratorRunMeta[];
  /** Sample grid per generator run id, as a data:image/png URL. */
  grids: Record<string, string>;
  classify: ClassifyExperiment[];
  /** Confusion-matrix PNG per classification experiment id, as a data: URL. */
  confusion: Record<string, string>;
  segment: SegmentExperiment[];
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const secs = (s: number) => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);
const f = (x: number | null | undefined, k = 1, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : (x * k).toFixed(d));
/** Only our own data: URLs may become <img> sources in the card. */
const safeImg = (url: string | undefined) => (url && /^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(url) ? url : null);

function table(head: string[], rows: (string | number)[][], caption = ''): string {
  return `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function datasetSection(d: DatasetMeta): string {
  const counts = SPLITS.map((s) => [s, ...d.classes.map((c) => d.counts[s][c] ?? 0), d.classes.reduce((a, c) => a + (d.counts[s][c] ?? 0), 0)]);
  return `<section><h2>Dataset</h2>
<dl><dt>Name</dt><dd>${esc(d.name)}</dd><dt>Kind</dt><dd>${esc(d.kind)}${d.labelled ? `, ${d.classes.length} classes` : ', no class labels'}</dd>
<dt>Images</dt><dd>${d.count} at ${d.size}×${d.size}×${d.channels}</dd><dt>Source</dt><dd>${esc(d.source)}</dd>
<dt>Split</dt><dd>${d.splitOrigin.kind === 'source' ? 'from the source' : `seeded (seed ${d.splitOrigin.seed}, val ${d.splitOrigin.fractions.val}, test ${d.splitOrigin.fractions.test})`}</dd>
<dt>SHA-256</dt><dd><code>${esc(d.sha256)}</code></dd>${d.attribution ? `<dt>Attribution</dt><dd>${esc(d.attribution.dataset)} — ${esc(d.attribution.licence)}. ${esc(d.attribution.cite)}</dd>` : ''}</dl>
${table(['split', ...d.classes, 'total'], counts)}</section>`;
}

function backendSection(b: BackendReport | null): string {
  if (!b) return '<section><h2>Engine</h2><p>The engine had not started.</p></section>';
  const a = b.adapter;
  return `<section><h2>Engine</h2><dl><dt>Backend</dt><dd>${esc(b.name)} (asked: ${esc(b.requested)}), TensorFlow.js ${esc(b.tfjsVersion)}</dd>
${a ? `<dt>Adapter</dt><dd>${esc([a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' · '))}${a.isFallbackAdapter ? ' (software fallback)' : ''}${a.compatibilityMode ? ', compatibility mode' : ''}</dd>` : ''}
<dt>Self-test</dt><dd>${b.selfTest.passed ? 'passed' : 'FAILED'}: ${esc(b.selfTest.detail)}</dd>
${b.tuning ? `<dt>Kernel tuning</dt><dd>${tuningLines(b.tuning.tuning, null).map((l) => esc(`${l.op}: ${l.choice}`)).join('; ')}</dd>` : ''}</dl></section>`;
}

function generatorsSection(runs: GeneratorRunMeta[], grids: Record<string, string>): string {
  if (!runs.length) return '';
  const rows = runs.map((r) => {
    const q0 = r.quality[0];
    const q = r.quality.at(-1);
    return [r.className, r.preset, `${r.resolution} px`, (r.imagesSeen / 1000).toFixed(2), r.step, secs(r.seconds), f(q0?.kid, 1000), f(q?.kid, 1000), f(q?.kidStd, 1000), f(q?.fd), q ? `${f(q.nearCopyRate, 100, 1)} %` : '–', r.status];
  });
  const per = runs
    .map((r) => {
      const img = safeImg(grids[r.id]);
      const chart = svgLineChart(`${r.className}: losses`, 'kimg', r.curve.map((p) => p.kimg), [
        { label: 'G loss', color: '#1f5fa8', values: r.curve.map((p) => p.lossG) },
        { label: 'D loss', color: '#a32020', values: r.curve.map((p) => p.lossD) },
      ]);
      return `<div class="gen"><h3>${esc(r.className)}</h3>${chart}${img ? `<figure><img src="${img}" alt="samples of ${esc(r.className)}"><figcaption>EMA generator samples, seeds 0-15, step ${r.checkpointStep ?? '–'}</figcaption></figure>` : ''}</div>`;
    })
    .join('');
  return `<section><h2>Class generators</h2>
<p class="muted">${esc(runs[0]?.augmentation ?? '')}. KID and FD use ${esc(runs.find((r) => r.featureExtractor)?.featureExtractor ?? 'no feature extractor yet')} (not Inception: read them relative to each other).</p>
${table(['class', 'preset', 'resolution', 'kimg', 'steps', 'time', 'KID×1e3 start', 'KID×1e3 end', '± std', 'FD end', 'near-copies', 'status'], rows)}<div class="gens">${per}</div></section>`;
}

function classifySection(es: ClassifyExperiment[], confusion: Record<string, string>): string {
  if (!es.length) return '';
  return `<section><h2>Classification: real vs real + synthetic</h2>${es
    .map((e) => {
      const arms = summariseArms(e);
      const seeds = [...new Set(e.results.map((r) => r.seed))].sort((a, b) => a - b);
      const acc = pairedDifference(e, 'accuracy');
      const f1 = pairedDifference(e, 'macroF1');
      const img = safeImg(confusion[e.id]);
      const first = e.results[0];
      const curve = first
        ? svgLineChart(`${first.arm}, seed ${first.seed}: validation`, 'epoch', first.curve.map((p) => p.epoch + 1), [
            { label: 'val macro-F1', color: '#1c6b3a', values: first.curve.map((p) => p.valMacroF1) },
            { label: 'val accuracy', color: '#8a5a00', values: first.curve.map((p) => p.valAccuracy) },
          ])
        : '';
      return `<article><h3>${esc(e.options.preset)} classifier, ${e.options.seeds.length} seeds — ${esc(e.status)}</h3>
<p class="muted">${esc(new Date(e.createdAt).toISOString())} · ${esc(e.backend)} · ${e.parameters.toLocaleString('en')} parameters · ${e.splitSizes.train} / ${e.splitSizes.val} / ${e.splitSizes.test} real train / val / test images · at most ${e.options.training.epochs} epochs, patience ${e.options.training.patience}, batch ${e.options.training.batchSize}, Adam ${e.options.training.learningRate} · ${secs(e.seconds)}</p>
${table(['arm', 'seeds', 'accuracy %', 'macro-F1 %', 'AUC %', ...seeds.map((s) => `seed ${s} acc / F1`)], arms.map((a) => [a.label, a.runs, pct(a.accuracy), pct(a.macroF1), pct(a.auc), ...seeds.map((s) => {
        const r = e.results.find((x) => x.seed === s && x.arm === a.arm && (a.arm === 'baseline' || x.extra === a.extra));
        return r ? `${f(r.accuracy, 100, 1)} / ${f(r.macroF1, 100, 1)}` : '–';
      })]))}
${acc && f1 ? `<p><b>Real + synthetic minus real only, paired by seed (${acc.n}):</b> accuracy ${f(acc.mean, 100, 1)} points${Number.isNaN(acc.std) ? '' : ` ± ${f(acc.std, 100, 1)}`}, macro-F1 ${f(f1.mean, 100, 1)} points${Number.isNaN(f1.std) ? '' : ` ± ${f(f1.std, 100, 1)}`}; synthetic data better on accuracy in ${acc.wins} of ${acc.n}.${acc.n >= 2 && Math.abs(acc.mean) <= acc.std ? ' The difference is within the seed-to-seed spread.' : ''}</p>` : ''}
<div class="row">${img ? `<figure><img src="${img}" alt="confusion matrices"><figcaption>Confusion matrices on the real test split, summed over seeds</figcaption></figure>` : ''}${curve}</div></article>`;
    })
    .join('')}</section>`;
}

function segmentSection(es: SegmentExperiment[]): string {
  if (!es.length) return '';
  return `<section><h2>Segmentation and pseudo-label rounds</h2>${es
    .map((e) => {
      const r = e.rounds;
      const chart = svgLineChart('Test metrics by round', 'round', r.map((x) => x.round), [
        { label: 'mIoU (fg)', color: '#1f5fa8', values: r.map((x) => x.metrics.miou) },
        { label: 'Dice', color: '#1c6b3a', values: r.map((x) => x.metrics.dice) },
        { label: 'Sen', color: '#a32020', values: r.map((x) => x.metrics.sensitivity) },
      ]);
      return `<article><h3>${esc(e.options.model)} ${esc(e.options.preset)}, ${esc(e.options.loss)} — ${esc(e.status)}</h3>
<p class="muted">${esc(new Date(e.createdAt).toISOString())} · ${esc(e.backend)} · ${e.splitSizes.train} train / ${e.splitSizes.val} val / ${e.splitSizes.test} test (${esc(e.testSource)}) · ${e.synthetic.reduce((s, x) => s + x.count, 0)} synthetic images · threshold ${e.options.threshold}, ${esc(e.options.weighting)} weights · ${e.options.training.epochs} epochs a round · ${secs(e.seconds)}${e.parent ? ` · branched from round ${e.parent.round} of ${esc(e.parent.experimentId)}` : ''}</p>
${table(PROGRESSION_HEADER, progressionRows(e), 'Pooled over every test pixel at 0.5; mIoU (fg) is the foreground IoU, mIoU (2-class) the mean of background and foreground')}
${r.length > 1 ? table(['metric %', 'baseline', `round ${r.at(-1)!.round}`, 'change (points)'], baselineVsFinalRows(e)) : ''}${chart}</article>`;
    })
    .join('')}</section>`;
}

export function runCardHtml(i: RunCardInput): string {
  const d = i.dataset;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>SSGNet run card — ${esc(d.name)}</title><style>
body{font:14px/1.45 system-ui,sans-serif;color:#16202c;max-width:1100px;margin:2rem auto;padding:0 1rem}h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:2px solid #1f5fa8;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}th,td{border-bottom:1px solid #d5dce5;padding:.25rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}caption{text-align:left;color:#4a5868;font-size:.85rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#4a5868}dd{margin:0}.muted{color:#4a5868;font-size:.9rem}.gens,.row{display:flex;flex-wrap:wrap;gap:1.2rem;align-items:flex-start}
figure{margin:.4rem 0}figure img{image-rendering:pixelated;max-width:100%}figcaption{color:#4a5868;font-size:.8rem}code{font-size:.8rem;word-break:break-all}article{margin-bottom:1.5rem}
</style></head><body>
<h1>SSGNet run card: ${esc(d.name)}</h1>
<p class="muted">Made ${esc(i.generatedAt)} by ${esc(i.app)}, entirely in the browser: no image or result left the machine it ran on.</p>
${datasetSection(d)}${backendSection(i.backend)}${generatorsSection(i.generators, i.grids)}${classifySection(i.classify, i.confusion)}${segmentSection(i.segment)}
</body></html>
`;
}

/** The same facts for programs (report.json's keys where they overlap). */
export function runCardJson(i: RunCardInput): string {
  return JSON.stringify(
    {
      generated_at: i.generatedAt,
      app: i.app,
      dataset: i.dataset,
      backend: i.backend,
      generators: i.generators.map(({ curve: _c, closestPairs: _p, ...r }) => r),
      classification: i.classify,
      segmentation: i.segment.map((e) => ({ ...e, rows: segmentReportRows(e) })),
    },
    null,
    2,
  );
}
