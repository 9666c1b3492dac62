/**
 * Makes a copy of the ISIC 2018 folder (train + val only) that the runner can score on, outside the
 * repository: the official val split becomes the test split ("Dice on the val split"), and a seeded tenth of
 * train becomes the validation split the rounds pick their epoch and adaptive kappa on. Images and masks are
 * copied (the runner's folder reader does not follow symbolic links); only splits.csv changes.
 *
 *   node --import tsx bench/device/isic-test-split.ts ../shared/data/isic2018 /tmp/isic-tv [--val-share 0.1] [--seed 42]
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deriveSeed, mulberry32 } from '../../src/data/rng.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'val-share': { type: 'string', default: '0.1' }, seed: { type: 'string', default: '42' } } });
const [src, dst] = positionals;
if (!src || !dst) throw new Error('usage: isic-test-split.ts SRC DST [--val-share 0.1] [--seed 42]');
if (resolve(dst).startsWith(resolve(import.meta.dirname, '../..'))) throw new Error('DST must be outside the repository (ISIC data is never copied into it)');
const share = Number(values['val-share']);
if (!(share > 0 && share < 1)) throw new Error('--val-share must be between 0 and 1');

const lines = readFileSync(join(src, 'splits.csv'), 'utf8').trim().split(/\r?\n/);
const header = lines[0]!.split(',');
const idCol = header.indexOf('image_id');
const splitCol = header.indexOf('split');
if (idCol < 0 || splitCol < 0) throw new Error('splits.csv needs image_id and split columns');
const rows = lines.slice(1).map((l) => l.split(','));
const train = rows.filter((r) => r[splitCol] === 'train').map((r) => r[idCol]!).sort();
// Seeded Fisher-Yates: the same validation images for the same seed.
const rand = mulberry32(deriveSeed(Number(values.seed), 0x15c));
for (let i = train.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [train[i], train[j]] = [train[j]!, train[i]!];
}
const val = new Set(train.slice(0, Math.round(train.length * share)));
const counts: Record<string, number> = {};
const out = rows.map((r) => {
  const split = r[splitCol] === 'val' ? 'test' : val.has(r[idCol]!) ? 'val' : r[splitCol]!;
  counts[split] = (counts[split] ?? 0) + 1;
  return r.map((v, k) => (k === splitCol ? split : v)).join(',');
});
mkdirSync(dst, { recursive: true });
for (const d of ['images', 'masks']) if (!existsSync(join(dst, d))) cpSync(join(src, d), join(dst, d), { recursive: true });
writeFileSync(join(dst, 'splits.csv'), [lines[0], ...out].join('\n') + '\n');
console.log(`${dst}: ${JSON.stringify(counts)} (official val -> test; ${val.size} of train -> val, seed ${values.seed})`);
