/**
 * Program-defined uniforms of our WGSL kernels, declared once in TS and checked against the WGSL.
 *
 * tfjs-webgpu (4.22, pinned) builds the shader's `Uniforms` struct itself: its own fields (NAN, INFINITY,
 * every input's and the output's shape and strides) followed by the text of `program.uniforms`. The values
 * arrive as a list of `{type, data}` entries that `WebGPUBackend.makeUniforms` packs with WGSL alignment
 * chosen from `data.length` alone (1 -> 4 bytes, 2 -> 8, 3/4 -> 16). So a field list only works if every
 * field maps onto such entries: scalars (one entry of length 1) and `array<vec4<f32>, K>` (K entries of
 * length 4, which land 16 bytes apart exactly like the array's elements).
 *
 * Each .wgsl file also declares the same fields as a plain (unbound) struct: that is the written contract,
 * and tests/gpu compares it with the TS list (names, types, order and byte offsets), because a swapped
 * pair of fields passes every shape check and only shows up as wrong numbers.
 */

export type UniformField =
  | { readonly name: string; readonly type: 'i32' | 'f32' }
  | { readonly name: string; readonly type: 'vec4f-array'; readonly length: number };

/** One entry of tfjs's `programDefinedUniform` list (structurally its `ProgramUniform` element). */
export interface UniformEntry {
  type: 'int32' | 'float32';
  data: number[];
}

type FieldValue<F extends UniformField> = F extends { type: 'vec4f-array' } ? ArrayLike<number> : number;

/** Values keyed by field name: a number for scalars, up to 4*length numbers for vec4 arrays (zero-filled). */
export type UniformValues<F extends readonly UniformField[]> = {
  [E in F[number] as E['name']]: FieldValue<E>;
};

export function wgslType(f: UniformField): string {
  return f.type === 'vec4f-array' ? `array<vec4<f32>, ${f.length}>` : f.type;
}

/** The text tfjs appends to its generated `Uniforms` struct (`program.uniforms`). */
export function uniformDeclaration(fields: readonly UniformField[]): string {
  return fields.map((f) => `${f.name} : ${wgslType(f)}, `).join('');
}

/** The `{type, data}` entries for `runWebGPUProgram`, in field order. */
export function packUniforms<F extends readonly UniformField[]>(fields: F, values: UniformValues<F>): UniformEntry[] {
  const byName: Record<string, number | ArrayLike<number> | undefined> = values;
  const entries: UniformEntry[] = [];
  for (const f of fields) {
    const v = byName[f.name];
    if (v === undefined) throw new Error(`uniform ${f.name} has no value`);
    if (f.type === 'vec4f-array') {
      if (typeof v === 'number') throw new Error(`uniform ${f.name} needs an array`);
      if (v.length > f.length * 4) throw new Error(`uniform ${f.name}: ${v.length} values exceed ${f.length * 4}`);
      for (let i = 0; i < f.length; i++) {
        entries.push({ type: 'float32', data: [0, 1, 2, 3].map((j) => v[i * 4 + j] ?? 0) });
      }
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`uniform ${f.name} needs a finite number`);
      if (f.type === 'i32' && !Number.isInteger(v)) throw new Error(`uniform ${f.name} needs an integer, got ${v}`);
      entries.push({ type: f.type === 'i32' ? 'int32' : 'float32', data: [v] });
    }
  }
  return entries;
}

/**
 * The fields of `struct <name> { ... }` in WGSL source (comments removed). Only the field types this module
 * supports are recognised; anything else comes back as type 'unsupported' so a comparison fails loudly.
 */
export function parseWgslStruct(source: string, name: string): Array<{ name: string; type: string }> {
  const code = source.replace(/\/\/[^\n]*/g, '');
  const m = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(code);
  if (!m || m[1] === undefined) throw new Error(`struct ${name} not found in WGSL`);
  const body = m[1];
  const fields: Array<{ name: string; type: string }> = [];
  // A field is `name : type`; array types contain a comma, so match types instead of splitting on commas.
  const re = /(\w+)\s*:\s*(array\s*<\s*vec4\s*<\s*f32\s*>\s*,\s*\d+\s*>|[\w<>]+)/g;
  for (let f = re.exec(body); f; f = re.exec(body)) {
    const type = (f[2] ?? '').replace(/\s+/g, '').replace(',', ', ');
    fields.push({ name: f[1] ?? '', type: /^(i32|f32|array<vec4<f32>, \d+>)$/.test(type) ? type : `unsupported:${type}` });
  }
  return fields;
}

/** Byte offsets of the fields under WGSL's uniform layout rules, starting after `start` bytes of struct. */
export function wgslOffsets(fields: readonly UniformField[], start: number): number[] {
  let at = start;
  return fields.map((f) => {
    const [align, size] = f.type === 'vec4f-array' ? [16, 16 * f.length] : [4, 4];
    at = Math.ceil(at / align) * align;
    const offset = at;
    at += size;
    return offset;
  });
}

/**
 * Byte offsets at which tfjs-webgpu 4.22's `makeUniforms` writes the entries of each field (same rule as
 * backend_webgpu.js: alignment from data.length), starting after `start` bytes of its own entries.
 */
export function tfjsPackedOffsets(entries: readonly UniformEntry[], fields: readonly UniformField[], start: number): number[] {
  const entryOffsets: number[] = [];
  let at = start;
  for (const e of entries) {
    const n = e.data.length;
    const align = n === 1 ? 4 : n === 2 ? 8 : 16;
    at = Math.ceil(at / align) * align;
    entryOffsets.push(at);
    at += n * 4;
  }
  // The first entry of each field.
  const out: number[] = [];
  let i = 0;
  for (const f of fields) {
    out.push(entryOffsets[i] ?? -1);
    i += f.type === 'vec4f-array' ? f.length : 1;
  }
  return out;
}
