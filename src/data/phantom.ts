/**
 * Procedural breast-ultrasound "phantom": the app's built-in demo data. Written by us; no third-party image
 * ever ships with the app. Pure TypeScript, no DOM and no Node APIs, so it runs in a Web Worker and in Node.
 *
 * What an image is made of, and why
 * ---------------------------------
 * A B-mode image is the log-compressed envelope of the echo signal. We follow that chain in a few cheap steps,
 * all geometry being defined in normalised coordinates (u across, v = depth, both in [0, 1]) so that a seed
 * describes the same scene at every resolution, and only the rasterisation depends on `size`:
 *
 *  1. Tissue echogenicity E(u, v), the mean backscatter amplitude of the tissue at each point: a skin line
 *     (bright) under an optional dark stand-off/gel band, subcutaneous fat (hypoechoic, lobulated),
 *     fibroglandular tissue (hyperechoic, heterogeneous, crossed by thin bright curved ligament lines),
 *     retromammary fat (dark) and pectoral muscle (striated), separated by wavy, roughly horizontal
 *     interfaces. Smooth value noise, elongated sideways, makes each layer heterogeneous.
 *  2. The lesion, a shape function r(theta) around a centre in an ellipse-normalised frame: inside it the
 *     echogenicity falls to a low level (hypoechoic), with its own, fainter speckle. The same function,
 *     rasterised at pixel centres, is the EXACT mask shipped with the image (1 inside).
 *       - benign: a smooth oval (at most a faint lobulation), wider than tall and oriented parallel to the
 *         skin, well circumscribed (sharp edge, sometimes a thin echogenic capsule), often anechoic-looking;
 *         often posterior acoustic enhancement and sometimes thin refraction shadows at its lateral edges.
 *       - malignant: irregular and spiculated (radius modulated by several random harmonics plus sharp
 *         spikes), taller than wide, a thick dark margin inside the boundary, often an echogenic halo
 *         outside it, heterogeneous interior with the odd bright microcalcification; posterior shadowing.
 *  3. Posterior features come from attenuation along the beam: each column (the beam goes straight down)
 *     accumulates the path it has travelled through the lesion, and everything below is multiplied by
 *     exp(+-k * path). A weakly attenuating lesion (cyst, fibroadenoma) gives a bright band below it, a
 *     strongly attenuating one (scirrhous carcinoma) a dark shadow, both shaped by the lesion's own chord.
 *  4. Depth: tissue attenuation only partly compensated by time-gain control (the image darkens with depth,
 *     as real scans do), a mild focal-zone brightening, and a random overall gain.
 *  5. Fully developed speckle: a complex circular Gaussian field, low-pass filtered with an anisotropic
 *     Gaussian (the resolution cell is wider than deep, so speckle is streaky sideways; about 1.9 x 0.9 px
 *     at 64 px, growing like sqrt(size), so a few pixels at 256), whose magnitude is Rayleigh distributed.
 *     Two independent looks are averaged in intensity (spatial compounding, as modern scanners do, which
 *     removes the black speckle "holes"), normalised to E[A^2] = 1. The echo amplitude is
 *     E * gain * posterior * A^c plus a small noise floor, where c in [0.75, 1] (lower inside a benign
 *     lesion: fainter speckle) stands for the scanner's speckle reduction shrinking the spread in dB.
 *  6. Log compression to a 40-50 dB display range, as scanners do, a slight display smoothing, then 8 bits.
 * Small images (under 56 px) are rendered at an integer multiple and box-averaged down, which is what
 * resizing a real scan does to its speckle (BreastMNIST's 28 px images are downsampled scans).
 *
 * The two classes differ exactly in the features radiologists read (BI-RADS): shape, orientation, margin,
 * posterior features. Everything else (layers, gain, speckle) is drawn from the same distribution for both,
 * so a classifier has to look at the lesion. Image i of a set uses a seed derived from (seed, i), and its
 * class follows a stratified sequence, so generating 10 or 1000 images gives the same first 10.
 */

import { blurSeparable, clamp01, gaussKernel, makeWave, smoothstep, SPECKLE_LOOKS, speckleAmplitude, uniform, ValueNoise, waveAt, type Wave } from './phantom-fields.ts';
import { deriveSeed, mulberry32 } from './rng.ts';

export const PHANTOM_CLASSES = ['benign', 'malignant'] as const;
export type PhantomClass = (typeof PHANTOM_CLASSES)[number];
/** The demo set is deliberately imbalanced, like real breast-ultrasound data (BUSI: 210 malignant of the 647 images with a lesion). */
export const DEFAULT_MALIGNANT_FRACTION = 0.35;

export interface PhantomOptions {
  /** Width and height in pixels (any size >= 8; meant for 16..256). */
  size: number;
  /** Number of images. */
  count: number;
  /** Seed of the whole set; image i depends only on (size, seed, i). */
  seed: number;
  /** Fraction of malignant images, default DEFAULT_MALIGNANT_FRACTION. Every prefix of the set holds it to within one image. */
  malignantFraction?: number;
}

export interface PhantomSet {
  size: number;
  channels: 1;
  classes: ['benign', 'malignant'];
  /** count * size * size grey levels, row-major. */
  images: Uint8Array;
  /** count * size * size, 1 inside the lesion, else 0. */
  masks: Uint8Array;
  /** count class indices into `classes` (0 = benign, 1 = malignant). */
  labels: Uint8Array;
}

export interface PhantomSample {
  /** size * size grey levels. */
  image: Uint8Array;
  /** size * size, 1 inside the lesion. */
  mask: Uint8Array;
}

// ---------------------------------------------------------------------------------------------------------
// The scene: everything random about one image, in normalised coordinates (independent of size)

const TABLE = 512; // samples of r(theta) over one turn

interface Lesion {
  cls: PhantomClass;
  cu: number; // centre, normalised
  cv: number;
  cosT: number; // rotation of the lesion frame
  sinT: number;
  a: number; // semi-axis along the frame's x (roughly across), normalised
  b: number; // semi-axis along the frame's y (roughly depth)
  r: Float32Array; // radius multiplier r(theta), theta in [-pi, pi), TABLE samples
  rMax: number;
  echo: number; // echogenicity inside (relative to gland = 1)
  speckleContrast: number; // 1 = full Rayleigh contrast inside, lower = smoother (anechoic-like)
  edgePx: number; // width of the image transition at the boundary, in internal pixels at 64 px
  rimWidth: number; // malignant: width of the dark margin inside the boundary, as a fraction of radius
  rimDark: number; // echogenicity factor at the boundary (1 = none)
  haloWidth: number; // echogenic halo outside the boundary, fraction of radius (0 = none)
  haloGain: number;
  capsule: number; // benign: thin bright capsule strength (0 = none)
  posterior: number; // log gain below the lesion at its thickest chord: > 0 enhancement, < 0 shadow
  edgeShadow: number; // benign: strength of lateral refraction shadows (0 = none)
  interior: ValueNoise; // heterogeneity inside the lesion
  interiorAmp: number;
  calcs: { u: number; v: number }[]; // microcalcifications (normalised positions)
}

interface Scene {
  topBand: number; // depth of the dark stand-off band (0 = none)
  skin: Wave;
  fat: Wave; // bottom of subcutaneous fat
  gland: Wave; // bottom of fibroglandular tissue
  retro: Wave; // bottom of retromammary fat (top of muscle)
  fatEcho: number;
  glandEcho: number;
  retroEcho: number;
  muscleEcho: number;
  ligaments: { wave: Wave; strength: number; width: number }[];
  muscleFreq: number;
  muscleTilt: number;
  coarse: ValueNoise;
  fine: ValueNoise;
  lobules: ValueNoise;
  atten: number; // residual attenuation (amplitude, nepers per image depth)
  focus: number;
  focusGain: number;
  deepFall: number; // where the far field fades out
  gainDb: number;
  rangeDb: number;
  speckleExp: number;
  lesion: Lesion;
}

function makeLesion(rand: () => number, cls: PhantomClass): Lesion {
  const r = new Float32Array(TABLE);
  let a: number;
  let b: number;
  let rot: number;
  if (cls === 'benign') {
    // Oval, wider than tall, parallel to the skin.
    a = uniform(rand, 0.08, 0.24);
    b = Math.max(0.07, a / uniform(rand, 1.25, 2.1));
    rot = uniform(rand, -0.3, 0.3);
    // At most a gentle macrolobulation (fibroadenoma), 2-3 lobes, a few percent.
    const k = 2 + Math.floor(rand() * 2);
    const amp = rand() < 0.5 ? uniform(rand, 0.01, 0.05) : 0;
    const ph = rand() * 2 * Math.PI;
    for (let i = 0; i < TABLE; i++) {
      const th = -Math.PI + (2 * Math.PI * i) / TABLE;
      r[i] = 1 + amp * Math.cos(k * th + ph);
    }
  } else {
    // Irregular, spiculated, taller than wide, any orientation near vertical.
    a = uniform(rand, 0.11, 0.24);
    b = a * uniform(rand, 1.0, 1.5);
    rot = uniform(rand, -0.45, 0.45);
    const harm: { k: number; c: number; p: number }[] = [];
    // Macro-irregularity (low harmonics) and microlobulation (high ones).
    for (let k = 2; k <= 12; k++) harm.push({ k, c: (uniform(rand, 0.4, 1) * 0.2) / Math.pow(k, 0.75), p: rand() * 2 * Math.PI });
    const nSpikes = 4 + Math.floor(rand() * 7);
    const spikes: { th: number; len: number; w: number }[] = [];
    for (let j = 0; j < nSpikes; j++) {
      spikes.push({ th: -Math.PI + rand() * 2 * Math.PI, len: uniform(rand, 0.2, 0.55), w: uniform(rand, 0.08, 0.2) });
    }
    for (let i = 0; i < TABLE; i++) {
      const th = -Math.PI + (2 * Math.PI * i) / TABLE;
      let v = 1;
      for (const h of harm) v += h.c * Math.cos(h.k * th + h.p);
      for (const s of spikes) {
        let d = Math.abs(th - s.th);
        if (d > Math.PI) d = 2 * Math.PI - d;
        if (d < s.w) v += s.len * Math.pow(1 - d / s.w, 2);
      }
      r[i] = Math.max(0.6, v);
    }
  }
  let rMax = 0;
  for (let i = 0; i < TABLE; i++) rMax = Math.max(rMax, r[i] as number);
  const malignant = cls === 'malignant';
  // Keep the lesion inside the tissue: shrink it if it would be taller than ~3/4 of the image.
  const fit = Math.min(1, 0.36 / (rMax * Math.max(a, b)));
  a *= fit;
  b *= fit;
  const extentV = rMax * Math.max(a, b);
  // Centre: roughly mid-depth, below the skin, above the bottom edge, and away from the sides.
  const cu = uniform(rand, 0.28, 0.72);
  const cvLo = Math.max(0.3, 0.1 + extentV);
  const cvHi = Math.max(cvLo, Math.min(0.58, 0.94 - extentV));
  const cv = uniform(rand, cvLo, cvHi);
  const enh = rand();
  const lesion: Lesion = {
    cls,
    cu,
    cv,
    cosT: Math.cos(rot),
    sinT: Math.sin(rot),
    a,
    b,
    r,
    rMax,
    echo: malignant ? uniform(rand, 0.09, 0.2) : rand() < 0.5 ? uniform(rand, 0.015, 0.04) : uniform(rand, 0.05, 0.12),
    speckleContrast: malignant ? uniform(rand, 0.8, 1) : uniform(rand, 0.35, 0.8),
    edgePx: malignant ? uniform(rand, 1.2, 2.2) : uniform(rand, 0.5, 0.9),
    rimWidth: malignant ? uniform(rand, 0.15, 0.3) : 0,
    rimDark: malignant ? uniform(rand, 0.25, 0.45) : 1,
    haloWidth: malignant && rand() < 0.6 ? uniform(rand, 0.12, 0.25) : 0,
    haloGain: uniform(rand, 0.35, 0.8),
    capsule: !malignant && rand() < 0.5 ? uniform(rand, 0.4, 1) : 0,
    posterior: malignant ? -uniform(rand, 0.8, 1.7) : enh < 0.7 ? uniform(rand, 0.3, 0.65) : 0,
    edgeShadow: !malignant && rand() < 0.45 ? uniform(rand, 0.3, 0.6) : 0,
    interior: new ValueNoise(rand, 6, 6),
    interiorAmp: malignant ? uniform(rand, 0.35, 0.6) : uniform(rand, 0, 0.15),
    calcs: [],
  };
  if (malignant && rand() < 0.4) {
    const n = 1 + Math.floor(rand() * 4);
    for (let i = 0; i < n; i++) {
      const ang = rand() * 2 * Math.PI;
      const rr = 0.6 * Math.sqrt(rand());
      lesion.calcs.push({ u: cu + rr * a * Math.cos(ang), v: cv + rr * b * Math.sin(ang) });
    }
  }
  return lesion;
}

function makeScene(seed: number, cls: PhantomClass): Scene {
  const rand = mulberry32(deriveSeed(seed, 0x5ce7e));
  const topBand = rand() < 0.4 ? uniform(rand, 0.015, 0.06) : 0;
  const skinBase = topBand + uniform(rand, 0.01, 0.03);
  const fatBase = skinBase + uniform(rand, 0.1, 0.28);
  const glandBase = Math.min(0.82, fatBase + uniform(rand, 0.3, 0.5));
  const retroBase = glandBase + uniform(rand, 0.05, 0.1);
  const ligaments: Scene['ligaments'] = [];
  const nLig = 2 + Math.floor(rand() * 4);
  for (let i = 0; i < nLig; i++) {
    ligaments.push({
      wave: makeWave(rand, uniform(rand, skinBase + 0.05, glandBase), uniform(rand, 0.02, 0.08)),
      strength: uniform(rand, 0.4, 1.1),
      width: uniform(rand, 0.005, 0.012),
    });
  }
  const scene: Scene = {
    topBand,
    skin: makeWave(rand, skinBase, 0.006),
    fat: makeWave(rand, fatBase, 0.04),
    gland: makeWave(rand, glandBase, 0.05),
    retro: makeWave(rand, retroBase, 0.03),
    fatEcho: uniform(rand, 0.2, 0.35),
    glandEcho: uniform(rand, 0.75, 1.05),
    retroEcho: uniform(rand, 0.2, 0.35),
    muscleEcho: uniform(rand, 0.4, 0.65),
    ligaments,
    muscleFreq: uniform(rand, 18, 30),
    muscleTilt: uniform(rand, -0.25, 0.25),
    coarse: new ValueNoise(rand, 4, 6),
    fine: new ValueNoise(rand, 7, 22),
    lobules: new ValueNoise(rand, 6, 9),
    atten: uniform(rand, 1.2, 2.2),
    focus: uniform(rand, 0.3, 0.6),
    focusGain: uniform(rand, 0.05, 0.2),
    deepFall: uniform(rand, 0.6, 0.85),
    gainDb: uniform(rand, -3, 3),
    rangeDb: uniform(rand, 40, 50),
    speckleExp: uniform(rand, 0.75, 1),
    lesion: makeLesion(rand, cls),
  };
  return scene;
}

/** Tissue echogenicity (no lesion) on the n x n internal grid, row-major. */
function tissueMap(s: Scene, n: number): Float32Array {
  const t = 0.012; // interface softness (normalised depth)
  // Per-column interface depths and ligament curves.
  const skinV = new Float32Array(n);
  const fatV = new Float32Array(n);
  const glandV = new Float32Array(n);
  const retroV = new Float32Array(n);
  const nl = s.ligaments.length;
  const ligV = new Float32Array(nl * n);
  const ligS = new Float32Array(nl * n);
  for (let x = 0; x < n; x++) {
    const u = (x + 0.5) / n;
    skinV[x] = waveAt(s.skin, u);
    fatV[x] = waveAt(s.fat, u);
    glandV[x] = waveAt(s.gland, u);
    retroV[x] = waveAt(s.retro, u);
    for (let j = 0; j < nl; j++) {
      const l = s.ligaments[j] as Scene['ligaments'][number];
      ligV[j * n + x] = waveAt(l.wave, u);
      // Ligaments fade in and out along their length.
      ligS[j * n + x] = l.strength * clamp01(0.55 + 0.6 * s.lobules.at(u, l.wave.base));
    }
  }
  const out = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    const v = (y + 0.5) / n;
    for (let x = 0; x < n; x++) {
      const u = (x + 0.5) / n;
      const sk = skinV[x] as number;
      const fv = fatV[x] as number;
      const gv = glandV[x] as number;
      const rv = retroV[x] as number;
      const fine = s.fine.at(u, v);
      const hetero = Math.exp(0.35 * s.coarse.at(u, v) + 0.3 * fine);
      // Layers, blended across soft interfaces.
      const fatMix = smoothstep(sk, sk + 2 * t, v) * (1 - smoothstep(fv - t, fv + t, v));
      const glandMix = smoothstep(fv - t, fv + t, v) * (1 - smoothstep(gv - t, gv + t, v));
      const retroMix = smoothstep(gv - t, gv + t, v) * (1 - smoothstep(rv - t, rv + t, v));
      const muscleMix = smoothstep(rv - t, rv + t, v);
      let e = 0;
      if (fatMix > 0) e += fatMix * s.fatEcho * Math.exp(0.4 * s.lobules.at(u, v));
      if (glandMix > 0) {
        // Fat lobules inside the gland: darker islands, elongated sideways.
        const lobule = smoothstep(0.5, 1.1, s.lobules.at(u, v));
        e += glandMix * s.glandEcho * hetero * (1 - 0.65 * lobule);
      }
      if (retroMix > 0) e += retroMix * s.retroEcho * hetero;
      if (muscleMix > 0) {
        const striation = 1 + 0.45 * Math.sin(2 * Math.PI * s.muscleFreq * (v + s.muscleTilt * u) + 1.5 * fine);
        e += muscleMix * s.muscleEcho * striation * hetero;
      }
      // Above the skin: stand-off / gel, nearly echo-free.
      if (v < sk) e += 0.03;
      // Skin line and the fascia over the muscle: bright specular interfaces.
      const ds = (v - sk) / 0.01;
      if (ds > -5 && ds < 5) e += 1.4 * Math.exp(-0.5 * ds * ds);
      const dr = (v - rv) / 0.008;
      if (dr > -5 && dr < 5) e += 0.5 * Math.exp(-0.5 * dr * dr);
      for (let j = 0; j < nl; j++) {
        const l = s.ligaments[j] as Scene['ligaments'][number];
        const d = (v - (ligV[j * n + x] as number)) / l.width;
        if (d > -4 && d < 4) e += (ligS[j * n + x] as number) * Math.exp(-0.5 * d * d);
      }
      out[y * n + x] = e;
    }
  }
  return out;
}

/** Lesion frame: returns (rho, theta index fraction) for a normalised point; rho = 1 on the base ellipse. */
function lesionPolar(l: Lesion, u: number, v: number): { rho: number; rt: number } {
  const du = u - l.cu;
  const dv = v - l.cv;
  const x = (du * l.cosT + dv * l.sinT) / l.a;
  const y = (-du * l.sinT + dv * l.cosT) / l.b;
  const rho = Math.sqrt(x * x + y * y);
  const th = Math.atan2(y, x);
  let f = ((th + Math.PI) / (2 * Math.PI)) * TABLE;
  const i0 = Math.floor(f) % TABLE;
  f -= Math.floor(f);
  const rt = (l.r[i0] as number) * (1 - f) + (l.r[(i0 + 1) % TABLE] as number) * f;
  return { rho, rt };
}

/** The exact lesion mask at `size` (pixel centres). */
function rasterMask(l: Lesion, size: number): Uint8Array {
  const m = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const p = lesionPolar(l, u, v);
      if (p.rho < p.rt) m[y * size + x] = 1;
    }
  }
  return m;
}

function toClass(cls: PhantomClass | 0 | 1): PhantomClass {
  if (cls === 0 || cls === 'benign') return 'benign';
  if (cls === 1 || cls === 'malignant') return 'malignant';
  throw new Error(`unknown phantom class ${String(cls)}`);
}

/**
 * One phantom image and its exact lesion mask. Deterministic in (size, seed, cls); the scene (layers,
 * lesion shape) depends only on (seed, cls), so the same seed at another size shows the same anatomy.
 */
export function phantomImage(size: number, seed: number, cls: PhantomClass | 0 | 1): PhantomSample {
  if (!Number.isInteger(size) || size < 8) throw new Error(`phantom size must be an integer >= 8, got ${size}`);
  const c = toClass(cls);
  const s = makeScene(seed, c);
  const l = s.lesion;
  const k = Math.max(1, Math.ceil(56 / size)); // supersampling for small sizes
  const n = size * k;
  const nn = n * n;
  const px64 = n / 64; // internal pixels per pixel-at-64

  // Speckle: complex Gaussian field, low-pass filtered (anisotropic resolution cell), magnitude -> Rayleigh.
  // Resolution cell: ~1.9 x 0.9 px at 64 px, growing like sqrt(size) (a few pixels at 256).
  const cell = Math.sqrt(n / 64);
  const tmp = new Float32Array(nn);
  const speckle = speckleAmplitude(mulberry32(deriveSeed(seed, 0x59ec1e, n)), n, 1.9 * cell, 0.9 * cell, SPECKLE_LOOKS, tmp);

  // Lesion bounding box (internal pixels), with room for the halo.
  const reach = l.rMax * Math.max(l.a, l.b) * (1 + l.haloWidth + 0.1) + 3 / n;
  const bx0 = Math.max(0, Math.floor((l.cu - reach) * n));
  const bx1 = Math.min(n - 1, Math.ceil((l.cu + reach) * n));
  const by0 = Math.max(0, Math.floor((l.cv - reach) * n));
  const by1 = Math.min(n - 1, Math.ceil((l.cv + reach) * n));
  const rScale = Math.sqrt(l.a * l.b) * n; // internal pixels per unit of rho (approximate)
  const edge = l.edgePx * px64;

  // Echogenicity with the lesion, and the lesion occupancy w used for the beam path.
  const echo = tissueMap(s, n);
  const occ = new Float32Array(nn);
  for (let y = by0; y <= by1; y++) {
    const v = (y + 0.5) / n;
    for (let x = bx0; x <= bx1; x++) {
      const u = (x + 0.5) / n;
      {
        let e = echo[y * n + x] as number;
        const p = lesionPolar(l, u, v);
        const dPx = (p.rt - p.rho) * rScale; // > 0 inside, ~ distance to the boundary in internal pixels
        const w = clamp01(0.5 + dPx / (2 * edge));
        if (w > 0) {
          let le = l.echo * Math.exp(l.interiorAmp * l.interior.at((u - l.cu) / (2 * l.a) + 0.5, (v - l.cv) / (2 * l.b) + 0.5));
          if (l.rimWidth > 0) {
            const depth = (p.rt - p.rho) / p.rt / l.rimWidth; // 0 at the boundary, 1 at the rim's inner edge
            le *= l.rimDark + (1 - l.rimDark) * smoothstep(0, 1, depth);
          }
          e = e * (1 - w) + le * w;
          occ[y * n + x] = w;
        }
        if (l.haloWidth > 0 && dPx < 0) {
          const hd = -(p.rt - p.rho) / p.rt / l.haloWidth;
          if (hd < 1.5) e *= 1 + l.haloGain * Math.exp(-2 * hd * hd) * (0.7 + 0.3 * Math.sin(9 * Math.atan2(v - l.cv, u - l.cu)));
        }
        if (l.capsule > 0) {
          const cd = dPx / Math.max(0.7, 0.8 * px64);
          e += l.capsule * Math.exp(-0.5 * cd * cd) * 0.8;
        }
        echo[y * n + x] = e;
      }
    }
  }
  for (const cpos of l.calcs) {
    const cx = Math.round(cpos.u * n - 0.5);
    const cy = Math.round(cpos.v * n - 0.5);
    if (cx >= 0 && cy >= 0 && cx < n && cy < n) echo[cy * n + cx] = (echo[cy * n + cx] as number) + 1.5;
  }

  // Posterior features: cumulative path through the lesion along each column, normalised by the thickest chord.
  const colPath = new Float32Array(n);
  let maxPath = 0;
  for (let x = bx0; x <= bx1; x++) {
    let p = 0;
    for (let y = by0; y <= by1; y++) p += occ[y * n + x] as number;
    colPath[x] = p;
    if (p > maxPath) maxPath = p;
  }
  // Lateral extremes of the lesion, for benign edge (refraction) shadows.
  let left = -1;
  let right = -1;
  for (let x = 0; x < n; x++) {
    if ((colPath[x] as number) > 0.05 * maxPath) {
      if (left < 0) left = x;
      right = x;
    }
  }
  const edgeW = Math.max(0.6, 0.9 * px64);

  // Depth gain: attenuation residual after TGC, focal zone, far-field fall-off, overall gain.
  const gain = new Float32Array(n);
  const g0 = Math.pow(10, s.gainDb / 20);
  for (let y = 0; y < n; y++) {
    const v = (y + 0.5) / n;
    gain[y] =
      g0 *
      Math.exp(-s.atten * v) *
      (1 + s.focusGain * Math.exp(-0.5 * ((v - s.focus) / 0.12) ** 2)) *
      (1 - 0.75 * smoothstep(s.deepFall, s.deepFall + 0.3, v));
  }

  // Compose amplitude, log-compress, write at internal resolution (display values 0..1).
  const disp = new Float32Array(nn);
  const dbScale = 20 / Math.LN10;
  const ref = 20 * Math.log10(4); // echo amplitude 4 (12 dB over bright gland) maps to white
  const path = new Float32Array(n); // running path per column
  const inv = maxPath > 0 ? 1 / maxPath : 0;
  for (let y = 0; y < n; y++) {
    const g = gain[y] as number;
    for (let x = 0; x < n; x++) {
      const i = y * n + x;
      const o = occ[i] as number;
      let post = 1;
      if (maxPath > 0 && ((path[x] as number) > 0 || o > 0 || l.edgeShadow > 0)) {
        const pNow = (path[x] as number) + 0.5 * o;
        path[x] = (path[x] as number) + o;
        // sqrt flattens the profile: shadows and enhancement are nearly as strong across most of the width.
        post = Math.exp(l.posterior * Math.sqrt(pNow * inv));
        if (l.edgeShadow > 0 && left >= 0 && (y + 0.5) / n > l.cv) {
          const dl = (x - left) / edgeW;
          const dr = (x - right) / edgeW;
          const fade = smoothstep(l.cv * n, (l.cv + 0.05) * n, y);
          post *= Math.max(0.2, 1 - fade * l.edgeShadow * (Math.exp(-0.5 * dl * dl) + Math.exp(-0.5 * dr * dr)));
        }
      }
      const a = speckle[i] as number;
      // Speckle reduction (compounding, scanner filtering) scales the speckle's spread in dB by speckleExp.
      const sc = s.speckleExp * (1 - o + o * l.speckleContrast);
      const amp = (echo[i] as number) * g * post * Math.exp(sc * Math.log(a + 1e-6));
      const db = dbScale * Math.log(Math.max(amp, 0) + 0.004) - ref;
      disp[i] = clamp01(1 + db / s.rangeDb);
    }
  }

  // Scanner-side smoothing of the displayed image (and what resizing a scan does to isolated speckle holes).
  blurSeparable(disp, tmp, n, gaussKernel(0.7 * cell), gaussKernel(0.5 * cell));

  // Down to `size` by box averaging (what resizing a scan does), then 8 bits.
  const image = new Uint8Array(size * size);
  const kk = k * k;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let dy = 0; dy < k; dy++) {
        const row = (y * k + dy) * n + x * k;
        for (let dx = 0; dx < k; dx++) sum += disp[row + dx] as number;
      }
      image[y * size + x] = Math.round((255 * sum) / kk);
    }
  }
  return { image, mask: rasterMask(l, size) };
}

/**
 * Class of image i in a set: a stratified sequence with a seeded phase, so that every prefix of n images
 * holds floor or ceil of n * malignantFraction malignant ones (and more images never change earlier ones).
 */
export function phantomLabel(seed: number, index: number, malignantFraction: number = DEFAULT_MALIGNANT_FRACTION): 0 | 1 {
  const f = clamp01(malignantFraction);
  const phase = mulberry32(deriveSeed(seed, 0x1abe1))();
  return Math.floor((index + 1) * f + phase) - Math.floor(index * f + phase) > 0 ? 1 : 0;
}

/** The seed of image `index` in the set with seed `seed`. */
export function phantomImageSeed(seed: number, index: number): number {
  return deriveSeed(seed, 0x1a6e, index);
}

/** A whole demo set: `count` images at `size` px, with exact lesion masks and benign/malignant labels. */
export function generatePhantom(options: PhantomOptions): PhantomSet {
  const { size, count, seed } = options;
  const f = options.malignantFraction ?? DEFAULT_MALIGNANT_FRACTION;
  if (!Number.isInteger(size) || size < 8) throw new Error(`phantom size must be an integer >= 8, got ${size}`);
  if (!Number.isInteger(count) || count < 0) throw new Error(`phantom count must be a non-negative integer, got ${count}`);
  if (!(f >= 0 && f <= 1)) throw new Error(`malignantFraction must be in [0, 1], got ${f}`);
  const px = size * size;
  const images = new Uint8Array(count * px);
  const masks = new Uint8Array(count * px);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = phantomLabel(seed, i, f);
    const one = phantomImage(size, phantomImageSeed(seed, i), label);
    images.set(one.image, i * px);
    masks.set(one.mask, i * px);
    labels[i] = label;
  }
  return { size, channels: 1, classes: ['benign', 'malignant'], images, masks, labels };
}
