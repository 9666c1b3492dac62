/** Chart series of the segmentation view: metrics by round, and a round's epoch curve. */
import type { SegEpochPoint, SegmentExperiment } from '../../pipeline/seg-rounds-record.ts';
import type { Series } from '../widgets/chart-types.ts';

export function roundSeries(e: SegmentExperiment): { x: number[]; series: Series[] } {
  const r = e.rounds;
  return {
    x: r.map((x) => x.round),
    series: [
      { label: 'mIoU (fg)', color: '#1f5fa8', values: r.map((x) => x.metrics.miou) },
      { label: 'Dice', color: '#1c6b3a', values: r.map((x) => x.metrics.dice) },
      { label: 'Acc', color: '#6b4fa8', values: r.map((x) => x.metrics.accuracy) },
      { label: 'Spe', color: '#8a5a00', values: r.map((x) => x.metrics.specificity) },
      { label: 'Sen', color: '#a32020', values: r.map((x) => x.metrics.sensitivity) },
    ],
  };
}

export function epochSeries(points: SegEpochPoint[]): { x: number[]; loss: Series[]; scores: Series[] } {
  return {
    x: points.map((p) => p.epoch + 1),
    loss: [{ label: 'train loss', color: '#1f5fa8', values: points.map((p) => p.loss) }],
    scores: [
      { label: 'val Dice', color: '#1c6b3a', values: points.map((p) => p.valDice) },
      { label: 'val mIoU', color: '#8a5a00', values: points.map((p) => p.valMiou) },
      { label: 'kappa fg / 32', color: '#a32020', values: points.map((p) => (p.kappa[1] ?? 0) / 32) },
    ],
  };
}
