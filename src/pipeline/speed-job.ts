/**
 * The kinds of long work whose speed the app measures, named by what decides their cost: the model and its
 * size, the image size and the batch. Pure types and keys (no tfjs), shared by the engine that measures and
 * the UI that estimates.
 */
import type { ClassifierPresetName } from '../models/classifier-config.ts';
import type { GanPresetName, GanResolution, ImageChannels } from '../models/generator-config.ts';
import type { UNetPresetName } from '../models/unet-config.ts';
import type { SegLossName } from '../train/adaptive-kappa.ts';

export type SpeedJob =
  | { kind: 'gan'; preset: GanPresetName; resolution: GanResolution; channels: ImageChannels; batchSize: number }
  | { kind: 'classify'; preset: ClassifierPresetName; size: number; channels: ImageChannels; numClasses: number; batchSize: number }
  | { kind: 'segment'; model: 'unet' | 'vmunet'; preset: UNetPresetName; size: number; channels: ImageChannels; batchSize: number; loss: SegLossName };

/** One measured rate: how long one training image costs this job on this adapter. */
export interface SpeedRecord {
  key: string;
  job: SpeedJob;
  /** Milliseconds per training image (one image through one optimisation step). */
  msPerImage: number;
  /** 'probe': a short timed run of the real step on random data; 'run': a real training run's average. */
  source: 'probe' | 'run';
  /** The timed work behind the figure (steps for a probe, images for a run). */
  basis: string;
  measuredAt: string;
}

/** A stable key per job configuration (the adapter is part of the store's key, not of this one). */
export function speedJobKey(j: SpeedJob): string {
  switch (j.kind) {
    case 'gan':
      return `gan|${j.preset}|${j.resolution}px|${j.channels}ch|b${j.batchSize}`;
    case 'classify':
      return `classify|${j.preset}|${j.size}px|${j.channels}ch|${j.numClasses}cls|b${j.batchSize}`;
    case 'segment':
      return `segment|${j.model}|${j.preset}|${j.size}px|${j.channels}ch|b${j.batchSize}|${j.loss}`;
  }
}

/** How a person would name the job in a sentence. */
export function speedJobLabel(j: SpeedJob): string {
  switch (j.kind) {
    case 'gan':
      return `a ${j.preset} generator at ${j.resolution} px, batch ${j.batchSize}`;
    case 'classify':
      return `the ${j.preset} classifier at ${j.size} px, batch ${j.batchSize}`;
    case 'segment':
      return `the ${j.model === 'vmunet' ? 'VM-UNet' : 'U-Net'} (${j.preset}) at ${j.size} px, batch ${j.batchSize}`;
  }
}
