/**
 * Gathers a dataset's work in this browser into the run card (src/report/run-card.ts): the stored records the
 * UI already holds, plus PNGs rendered for the card (each generator's sample grid, each experiment's confusion
 * matrices) embedded as data: URLs.
 */
import { runCardHtml, runCardJson, type RunCardInput } from '../report/run-card.ts';
import type { AppState } from './app.svelte.ts';
import { confusionPng } from './confusion-png.ts';

const APP_NAME = 'SSGNet in the browser 0.1.0';

function dataUrl(png: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < png.length; i += 0x8000) bin += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(bin)}`;
}

export async function gatherRunCard(app: AppState, datasetId: string): Promise<RunCardInput> {
  const dataset = app.datasets.find((d) => d.id === datasetId);
  if (!dataset) throw new Error('That dataset is no longer stored in this browser.');
  const generators = app.generators.runsFor(datasetId);
  const grids: Record<string, string> = {};
  for (const r of generators) {
    if (r.checkpointStep === null) continue;
    const { png } = await app.engine.call('run-grid-png', { runId: r.id, seed: 0, count: 16, psi: 1 });
    grids[r.id] = dataUrl(png);
  }
  const classify = app.classify.experimentsFor(datasetId);
  const confusion: Record<string, string> = {};
  for (const e of classify) if (e.results.length) confusion[e.id] = dataUrl(await confusionPng(e));
  return { generatedAt: new Date().toISOString(), app: APP_NAME, dataset, backend: app.backend, generators, grids, classify, confusion, segment: app.segment.experimentsFor(datasetId) };
}

export async function buildRunCard(app: AppState, datasetId: string): Promise<{ html: string; json: string }> {
  const input = await gatherRunCard(app, datasetId);
  return { html: runCardHtml(input), json: runCardJson(input) };
}
