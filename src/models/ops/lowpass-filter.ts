/**
 * Windowed-sinc (Kaiser) low-pass FIR design, the same maths as `scipy.signal.firwin(numtaps, cutoff,
 * width=width, fs=fs)` that StyleGAN3's `SynthesisLayer.design_lowpass_filter` calls for its separable
 * filters. Designed on the CPU once per layer; the taps are plain numbers, not tensors.
 */

/** Zeroth-order modified Bessel function of the first kind, by its power series (converges for all x). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Symmetric Kaiser window of `n` points (scipy's `get_window(('kaiser', beta), n, fftbins=False)`). */
export function kaiserWindow(n: number, beta: number): Float64Array {
  const w = new Float64Array(n);
  if (n === 1) {
    w[0] = 1;
    return w;
  }
  const denom = besselI0(beta);
  for (let i = 0; i < n; i++) {
    const r = (2 * i) / (n - 1) - 1;
    w[i] = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / denom;
  }
  return w;
}

/** Kaiser's empirical attenuation (dB) of a filter with `numtaps` taps and normalised transition `width`. */
function kaiserAttenuation(numtaps: number, widthNormalised: number): number {
  return 2.285 * (numtaps - 1) * Math.PI * widthNormalised + 7.95;
}

/** Kaiser's empirical window shape parameter for a wanted attenuation (dB). */
function kaiserBeta(attenuation: number): number {
  if (attenuation > 50) return 0.1102 * (attenuation - 8.7);
  if (attenuation > 21) return 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21);
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/**
 * Low-pass FIR taps: ideal sinc with cut-off `cutoff`, Kaiser window whose transition band is `width` wide
 * (both in the same units as the sampling rate `fs`), scaled to unit DC gain (sum of taps = 1).
 * `numtaps === 1` is the identity filter [1] (StyleGAN3 returns None there and skips the convolution).
 */
export function designLowpassFilter(numtaps: number, cutoff: number, width: number, fs: number): Float32Array {
  if (!Number.isInteger(numtaps) || numtaps < 1) throw new Error(`numtaps must be a positive integer, got ${numtaps}`);
  if (numtaps === 1) return new Float32Array([1]);
  const nyquist = fs / 2;
  if (!(cutoff > 0 && cutoff < nyquist)) throw new Error(`cutoff ${cutoff} must lie in (0, ${nyquist})`);
  const beta = kaiserBeta(kaiserAttenuation(numtaps, width / nyquist));
  const window = kaiserWindow(numtaps, beta);
  const fc = cutoff / nyquist;
  const alpha = 0.5 * (numtaps - 1);
  const h = new Float64Array(numtaps);
  let sum = 0;
  for (let i = 0; i < numtaps; i++) {
    h[i] = fc * sinc(fc * (i - alpha)) * (window[i] ?? 0);
    sum += h[i] ?? 0;
  }
  const taps = new Float32Array(numtaps);
  for (let i = 0; i < numtaps; i++) taps[i] = (h[i] ?? 0) / sum;
  return taps;
}

/** Magnitude of the filter's frequency response at frequency `f` (same units as `fs`). For tests and plots. */
export function filterResponse(taps: ArrayLike<number>, f: number, fs: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < taps.length; i++) {
    const phase = (-2 * Math.PI * f * i) / fs;
    re += (taps[i] ?? 0) * Math.cos(phase);
    im += (taps[i] ?? 0) * Math.sin(phase);
  }
  return Math.hypot(re, im);
}
