/**
 * `--export-project FILE`: after the task, the app's own project export (everything the run stored: datasets,
 * generator runs with their checkpoints, experiments), written to FILE. The bytes cross from the page as
 * base64 in one string: a project can be tens of megabytes, far too many numbers for a JSON array.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';

type Handle = { engine: { call: (type: string, args: Record<string, unknown>) => Promise<{ bytes: Uint8Array; records: number }> } };

export async function exportProjectFile(page: Page, file: string): Promise<{ path: string; bytes: number; records: number }> {
  const { base64, records } = await page.evaluate(async () => {
    const r = await (globalThis as unknown as { ssgnet: Handle }).ssgnet.engine.call('export-project', {});
    let binary = '';
    for (let i = 0; i < r.bytes.length; i += 0x8000) binary += String.fromCharCode(...r.bytes.subarray(i, i + 0x8000));
    return { base64: btoa(binary), records: r.records };
  });
  const bytes = Buffer.from(base64, 'base64');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return { path: file, bytes: bytes.length, records };
}
