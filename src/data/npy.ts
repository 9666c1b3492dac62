/**
 * A NumPy .npy reader, because MedMNIST (and most research data) ships as .npy arrays inside .npz zips and
 * the browser has no numpy. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 *
 *   "\x93NUMPY" | major | minor | header length (u16 LE in 1.0; u32 LE in 2.0 and 3.0) | header | data
 *
 * The header is a Python dict literal: {'descr': '<u1', 'fortran_order': False, 'shape': (546, 28, 28), }.
 * Only plain numeric arrays are read (bool, integers, floats); object, string, complex and structured arrays
 * are refused with a message saying so. Every failure is a DataError whose message names the file.
 */
import { DataError, groupDigits } from './errors.ts';

/** Normalised dtype: kind + item size, no byte order ('u1', 'i8', 'f4', 'b1', ...). */
export type NpyDtype = 'b1' | 'u1' | 'i1' | 'u2' | 'i2' | 'u4' | 'i4' | 'u8' | 'i8' | 'f2' | 'f4' | 'f8';

export type NpyData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/**
 * A parsed array in C (row-major) order, whatever order the file had. `data` is native-endian and owns a
 * fresh, aligned buffer. Typed array per dtype: b1 -> Uint8Array (0/1), f2 -> Float32Array (widened, since
 * JavaScript has no float16 array everywhere), u8/i8 -> BigUint64Array/BigInt64Array, others the obvious one.
 */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

interface DtypeInfo {
  size: number;
  label: string; // numpy's name, for messages
  make: (buf: ArrayBuffer, n: number) => NpyData;
}

const DTYPES: Record<NpyDtype, DtypeInfo> = {
  b1: { size: 1, label: 'bool', make: (b, n) => new Uint8Array(b, 0, n) },
  u1: { size: 1, label: 'uint8', make: (b, n) => new Uint8Array(b, 0, n) },
  i1: { size: 1, label: 'int8', make: (b, n) => new Int8Array(b, 0, n) },
  u2: { size: 2, label: 'uint16', make: (b, n) => new Uint16Array(b, 0, n) },
  i2: { size: 2, label: 'int16', make: (b, n) => new Int16Array(b, 0, n) },
  u4: { size: 4, label: 'uint32', make: (b, n) => new Uint32Array(b, 0, n) },
  i4: { size: 4, label: 'int32', make: (b, n) => new Int32Array(b, 0, n) },
  u8: { size: 8, label: 'uint64', make: (b, n) => new BigUint64Array(b, 0, n) },
  i8: { size: 8, label: 'int64', make: (b, n) => new BigInt64Array(b, 0, n) },
  f2: { size: 2, label: 'float16', make: (b, n) => halfToFloat(new Uint16Array(b, 0, n)) },
  f4: { size: 4, label: 'float32', make: (b, n) => new Float32Array(b, 0, n) },
  f8: { size: 8, label: 'float64', make: (b, n) => new Float64Array(b, 0, n) },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy's name for a dtype ('u1' -> 'uint8'). */
export function dtypeName(dtype: NpyDtype): string {
  return DTYPES[dtype].label;
}

/** "546×28×28 uint8", "a uint8 scalar": how messages describe an array. */
export function describeArray(dtype: NpyDtype, shape: readonly number[]): string {
  return shape.length === 0 ? `a ${dtypeName(dtype)} scalar` : `${shape.join('×')} ${dtypeName(dtype)}`;
}

/** Parses one .npy file. `name` (e.g. 'train_images.npy') is only used in error messages. */
export function parseNpy(bytes: Uint8Array, name = 'the .npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new DataError(`${name} is not a NumPy .npy array (it does not start with the .npy signature).`, 'npy-magic');
  }
  const major = bytes[6] ?? 0;
  const minor = bytes[7] ?? 0;
  if (major < 1 || major > 3) {
    throw new DataError(
      `${name} uses .npy format version ${major}.${minor}; this app reads versions 1.0 to 3.0.`,
      'npy-header',
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) throw truncatedHeader(name);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenSize + headerLen;
  if (dataStart > bytes.length) throw truncatedHeader(name);
  // Version 3.0 only differs in allowing UTF-8 in the header; 1.0 and 2.0 are latin-1.
  const headerBytes = bytes.subarray(8 + lenSize, dataStart);
  const headerText = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  const { dtype, bigEndian, fortran, shape } = readHeader(headerText, name);

  const info = DTYPES[dtype];
  const count = shape.reduce((a, b) => a * b, 1);
  const nbytes = count * info.size;
  const available = bytes.length - dataStart;
  if (nbytes > available) {
    throw new DataError(
      `${name} is truncated: the header declares ${describeArray(dtype, shape)} (${groupDigits(nbytes)} bytes) ` +
        `but only ${groupDigits(available)} bytes follow.`,
      'npy-truncated',
    );
  }
  // slice() copies into a fresh buffer at offset 0: entries inside a zip sit at arbitrary byte offsets, and
  // a Float32Array or BigInt64Array view needs its start aligned to its item size. Trailing bytes past the
  // declared data are ignored, as numpy.load does.
  const raw = bytes.slice(dataStart, dataStart + nbytes);
  if (bigEndian && info.size > 1) swapBytes(raw, info.size);
  const data = info.make(raw.buffer, count);
  return { dtype, shape, data: fortran && shape.length > 1 ? fortranToC(data, shape) : data };
}

function truncatedHeader(name: string): DataError {
  return new DataError(`${name} is truncated inside its header: the file ends before the array data starts.`, 'npy-truncated');
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/** Kinds numpy can store that we refuse, with what they are in words. */
const UNSUPPORTED_KINDS: Record<string, string> = {
  O: 'Python objects (a pickle)',
  U: 'text',
  S: 'byte strings',
  a: 'byte strings',
  c: 'complex numbers',
  M: 'dates',
  m: 'time spans',
  V: 'raw records',
};

function readHeader(text: string, name: string) {
  const bad = (why: string) => new DataError(`${name} has a damaged .npy header (${why}).`, 'npy-header');
  let dict: PyValue;
  try {
    dict = new PyLiteral(text).parseAll();
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) throw bad('it is not a dictionary');
  const { descr, fortran_order: fortran, shape } = dict;
  if (Array.isArray(descr)) {
    throw new DataError(
      `${name} holds a structured (record) array, which is not supported; save plain numeric arrays.`,
      'npy-dtype',
    );
  }
  if (typeof descr !== 'string') throw bad("'descr' is missing");
  if (typeof fortran !== 'boolean') throw bad("'fortran_order' is missing");
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw bad("'shape' is not a tuple of sizes");
  }
  // '<' little, '>' big, '|' not applicable (one-byte items), '=' native: numpy itself always writes '<' or
  // '>' for multi-byte types, so '=' only comes from hand-made files, whose native order is little-endian on
  // every machine this runs on.
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)$/.exec(descr);
  const kind = m?.[2] ?? '';
  const dtype = (kind === '?' ? 'b1' : `${kind}${m?.[3] ?? ''}`) as NpyDtype;
  if (!m || !(dtype in DTYPES)) {
    const what = UNSUPPORTED_KINDS[kind];
    throw new DataError(
      `${name} holds ${what ?? 'an unsupported data type'} (dtype '${descr}'); only bool, integer and float arrays can be read.`,
      'npy-dtype',
    );
  }
  return { dtype, bigEndian: m[1] === '>', fortran, shape: shape as number[] };
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo]!;
      b[lo] = b[hi]!;
      b[hi] = t;
    }
  }
}

/** IEEE half -> float32 (subnormals, infinities and NaN included). */
function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const v = h[i]!;
    const sign = v & 0x8000 ? -1 : 1;
    const exp = (v >> 10) & 0x1f;
    const frac = v & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/**
 * Reorders a Fortran-order (first axis fastest) array into C order (last axis fastest). Walks the output in
 * C order with an odometer over the indices, keeping the source offset in step, so it works for any rank.
 */
function fortranToC(src: NpyData, shape: number[]): NpyData {
  const out = new (src.constructor as new (n: number) => NpyData)(src.length);
  // Element-wise copy between two arrays of the same type; viewed as plain indexables to satisfy the checker.
  const s = src as unknown as ArrayLike<number>;
  const o = out as unknown as number[];
  const nd = shape.length;
  const stride: number[] = [];
  for (let d = 0, acc = 1; d < nd; d++) {
    stride.push(acc);
    acc *= shape[d]!;
  }
  const idx = new Array<number>(nd).fill(0);
  let from = 0;
  for (let k = 0; k < o.length; k++) {
    o[k] = s[from]!;
    for (let d = nd - 1; d >= 0; d--) {
      from += stride[d]!;
      if (++idx[d]! < shape[d]!) break;
      from -= stride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/**
 * Just enough of a Python literal parser for .npy headers: dicts, tuples, lists, quoted strings, integers
 * (Python 2 wrote long sizes as '546L'), True, False, None. Trailing commas are allowed, as Python allows.
 */
class PyLiteral {
  private i = 0;
  constructor(private readonly s: string) {}

  parseAll(): PyValue {
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) throw new Error(`unexpected '${this.s[this.i]}' after the dictionary`);
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.dict();
    if (c === '(' || c === '[') return this.seq(c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.str(c);
    const word = /^(-?\d+)L?|^(True|False|None)/.exec(this.s.slice(this.i, this.i + 32));
    if (!word) throw new Error(c === undefined ? 'it ends too early' : `unexpected '${c}'`);
    this.i += word[0].length;
    if (word[1] !== undefined) return Number(word[1]);
    return word[2] === 'None' ? null : word[2] === 'True';
  }

  private expect(c: string): void {
    this.ws();
    if (this.s[this.i] !== c) throw new Error(`expected '${c}'`);
    this.i++;
  }

  /** Parses items up to `close`, separated by commas, a trailing comma allowed. */
  private items(close: string, item: () => void): void {
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) break;
      item();
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw new Error(`expected ',' or '${close}'`);
    }
    this.i++;
  }

  private dict(): { [key: string]: PyValue } {
    const out: { [key: string]: PyValue } = {};
    this.i++;
    this.items('}', () => {
      const k = this.value();
      if (typeof k !== 'string') throw new Error('a key is not a string');
      this.expect(':');
      out[k] = this.value();
    });
    return out;
  }

  private seq(close: string): PyValue[] {
    const out: PyValue[] = [];
    this.i++;
    this.items(close, () => out.push(this.value()));
    return out;
  }

  private str(q: string): string {
    let out = '';
    for (this.i++; this.i < this.s.length; this.i++) {
      const c = this.s[this.i]!;
      if (c === q) {
        this.i++;
        return out;
      }
      // Escapes never matter in a dtype or key; keep the escaped character and move on.
      if (c === '\\') this.i++;
      out += this.s[this.i] ?? '';
    }
    throw new Error('a string is not closed');
  }
}

/**
 * Class labels as one byte each. Accepts shape (N,) or (N, 1) (MedMNIST ships (N, 1); re-saved copies are
 * often flat), any integer or bool dtype (int64 is common), and floats holding whole numbers. A (N, k) array
 * with k > 1 is one label per class per image, i.e. multi-label, which this app does not handle.
 */
export function labelsToUint8(a: NpyArray, name = 'the labels'): Uint8Array {
  const [n, k, ...rest] = a.shape;
  if (a.shape.length === 2 && k !== 1) {
    throw new DataError(
      `${name} has ${k} labels per image (shape ${a.shape.join('×')}): this is a multi-label set (like ChestMNIST), ` +
        'and multi-label sets are not supported. Each image needs exactly one class.',
      'labels-multilabel',
    );
  }
  if (n === undefined || rest.length > 0) {
    throw new DataError(
      `${name} should be a list of class labels of shape (N,) or (N, 1), but it is ${describeArray(a.dtype, a.shape)}.`,
      'npy-shape',
    );
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(a.data[i]);
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      throw new DataError(
        `${name} has the value ${v} at position ${groupDigits(i)}; class labels must be whole numbers from 0 to 255.`,
        'labels-range',
      );
    }
    out[i] = v;
  }
  return out;
}
