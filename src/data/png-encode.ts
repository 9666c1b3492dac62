/** PNG files from our uint8 pixel layout, in the worker (OffscreenCanvas does the encoding). */

/** One image (size x size x channels) as PNG bytes. */
export async function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on an OffscreenCanvas in a worker.');
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const r = pixels[i * channels]!;
    img.data[4 * i] = r;
    img.data[4 * i + 1] = channels === 3 ? pixels[i * 3 + 1]! : r;
    img.data[4 * i + 2] = channels === 3 ? pixels[i * 3 + 2]! : r;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}

/** Several equal-size images tiled into one grid image (cols per row, 2 px gaps), as pixels. */
export function tile(pixels: Uint8Array, count: number, size: number, channels: 1 | 3, cols: number): { pixels: Uint8Array; width: number; height: number } {
  const gap = 2;
  const rows = Math.ceil(count / cols);
  const width = cols * size + (cols - 1) * gap;
  const height = rows * size + (rows - 1) * gap;
  const out = new Uint8Array(width * height * channels).fill(32);
  const per = size * size * channels;
  for (let k = 0; k < count; k++) {
    const ox = (k % cols) * (size + gap);
    const oy = Math.floor(k / cols) * (size + gap);
    for (let y = 0; y < size; y++) {
      const src = pixels.subarray(k * per + y * size * channels, k * per + (y + 1) * size * channels);
      out.set(src, ((oy + y) * width + ox) * channels);
    }
  }
  return { pixels: out, width, height };
}
