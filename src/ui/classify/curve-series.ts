/** Learning-curve series for the charts: training loss beside validation loss, and validation scores. */
import type { EpochPoint } from '../../pipeline/classify-record.ts';
import type { Series } from '../widgets/chart-types.ts';

export function curveSeries(points: EpochPoint[]): { x: number[]; loss: Series[]; scores: Series[] } {
  return {
    x: points.map((p) => p.epoch + 1),
    loss: [
      { label: 'train loss', color: '#1f5fa8', values: points.map((p) => p.loss) },
      { label: 'val loss', color: '#a32020', values: points.map((p) => p.valLoss) },
    ],
    scores: [
      { label: 'val macro-F1', color: '#1c6b3a', values: points.map((p) => p.valMacroF1) },
      { label: 'val accuracy', color: '#8a5a00', values: points.map((p) => p.valAccuracy) },
      { label: 'train accuracy', color: '#6b4fa8', values: points.map((p) => p.accuracy) },
    ],
  };
}
