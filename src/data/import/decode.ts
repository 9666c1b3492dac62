/**
 * Image decoding and resizing in the worker: createImageBitmap + OffscreenCanvas, so the browser's own
 * decoders (PNG, JPEG, BMP, WebP) do the work off the UI thread.
 *
 * Aspect ratio (AspectMode): 'stretch' resizes each axis independently, which is what the reference ISIC and
 * Kvasir pipelines do; 'crop' takes the centred square first; 'pad' letterboxes onto black. Masks go through
 * the same geometry with smoothing and are then thresholded at 128, which also binarises JPEG masks.
 */
import type { AspectMode } from '../types.ts';

export interface Decoded {
  width: number;
  height: number;
  /** size x size x 4 RGBA at the working resolution. */
  rgba: Uint8ClampedArray;
}

let canvas: OffscreenCanvas | null = null;
let ctx: OffscreenCanvasRenderingContext2D | null = null;

function context(size: number): OffscreenCanvasRenderingContext2D {
  if (!canvas || canvas.width !== size) {
    canvas = new OffscreenCanvas(size, size);
    ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('This browser cannot draw on an OffscreenCanvas in a worker.');
  }
  return ctx!;
}

/** Draws a decoded source into size x size following the aspect mode and reads the pixels back. */
export function drawResized(source: CanvasImageSource, width: number, height: number, size: number, aspect: AspectMode): Uint8ClampedArray {
  const c = context(size);
  c.imageSmoothingEnabled = true;
  c.imageSmoothingQuality = 'high';
  c.fillStyle = '#000';
  c.fillRect(0, 0, size, size);
  if (aspect === 'stretch') {
    c.drawImage(source, 0, 0, width, height, 0, 0, size, size);
  } else if (aspect === 'crop') {
    const side = Math.min(width, height);
    c.drawImage(source, (width - side) / 2, (height - side) / 2, side, side, 0, 0, size, size);
  } else {
    const scale = size / Math.max(width, height);
    const w = width * scale;
    const h = height * scale;
    c.drawImage(source, 0, 0, width, height, (size - w) / 2, (size - h) / 2, w, h);
  }
  return c.getImageData(0, 0, size, size).data;
}

/** Decodes an image file; throws an Error whose message says why it could not be read. */
export async function decodeImage(blob: Blob, size: number, aspect: AspectMode): Promise<Decoded> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new Error(blob.size === 0 ? 'empty file' : 'not a decodable image (corrupt, or a format this browser cannot read)');
  }
  try {
    return { width: bitmap.width, height: bitmap.height, rgba: drawResized(bitmap, bitmap.width, bitmap.height, size, aspect) };
  } finally {
    bitmap.close();
  }
}

/** RGBA -> the dataset's channel layout (1 = luma, 3 = RGB). */
export function toChannels(rgba: Uint8ClampedArray, channels: 1 | 3, out: Uint8Array, offset: number): void {
  const n = rgba.length / 4;
  if (channels === 3) {
    for (let i = 0; i < n; i++) {
      out[offset + 3 * i] = rgba[4 * i]!;
      out[offset + 3 * i + 1] = rgba[4 * i + 1]!;
      out[offset + 3 * i + 2] = rgba[4 * i + 2]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      out[offset + i] = Math.round(0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!);
    }
  }
}

/** Binary mask from a resized mask image: foreground where its luma is at least 128. */
export function toMask(rgba: Uint8ClampedArray, out: Uint8Array, offset: number): number {
  const n = rgba.length / 4;
  let fg = 0;
  for (let i = 0; i < n; i++) {
    const v = 0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!;
    const bit = v >= 128 ? 1 : 0;
    out[offset + i] = bit;
    fg += bit;
  }
  return fg;
}

/** True when an image has real colour (not a grey image saved as RGB). */
export function hasColour(rgba: Uint8ClampedArray): boolean {
  let diff = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    diff += Math.abs(rgba[i]! - rgba[i + 1]!) + Math.abs(rgba[i + 1]! - rgba[i + 2]!);
  }
  return diff / (rgba.length / 4) > 3;
}
