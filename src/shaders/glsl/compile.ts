/**
 * The GLSL compiler of the gl-transitions shaders: GLSL ES 1.0 (the collection's dialect) to
 * JavaScript (the JS kernel), C (the scalar native build) and vector C (the vector native build).
 * The front end (lowering.ts) walks and types the shader and scalarises every value; one target
 * per file says statements and declarations its own way (js.ts, c.ts, vector.ts).
 *
 * Supported: float/int/bool, vecN/ivecN/bvecN, matN, structs, const and uniform globals, user
 * functions (overloaded by parameter types), if/else, for/while loops, ternaries, swizzles on both
 * sides of assignments, the GLSL ES built-in functions the collection uses, texture2D on extra
 * sampler uniforms. Not supported (refused with the shader's line): arrays, out/inout parameters,
 * discard. JS computes in float64, C in float32 like GLSL's highp; the reference test measures the
 * effect.
 */
import { parse } from '@shaderfrog/glsl-parser/index.js';
import { preprocess } from '@shaderfrog/glsl-parser/preprocessor/index.js';
import { CTarget } from './c.js';
import { JsTarget } from './js.js';
import { GlslCompileError, type Node } from './types.js';
import { VectorTarget } from './vector.js';

export { RUNTIME_HELPERS } from './js.js';
export { GlslCompileError } from './types.js';

export interface CompileOptions {
  /** Values of the shader's own uniforms (defaults from the shader's `// = ` comments otherwise). */
  params?: Record<string, number | boolean | number[]>;
  /**
   * JavaScript (default); C where every GLSL value is a \`real\` (see c/scalar.h); or vector C
   * ('simd'), where every value holds one lane per pixel of a run of pixels and control flow
   * runs under lane masks (see c/vector.h).
   */
  target?: Target;
}

export type Target = 'js' | 'c' | 'simd';

export interface CompiledShader {
  target: Target;
  /**
   * Source defining `f$transition$vec2(u, v)`, which writes RGBA into R[0..3]; it expects `R`,
   * `progress`, `ratio`, `sample(texture, u, v)`, the textures FROM, TO and S_<sampler>, and the
   * RUNTIME_HELPERS (JS) or C_HELPERS (C) around it. C sources also define `init_globals()`.
   */
  source: string;
  /** sampler2D uniforms the shader reads with texture2D (other than from/to). */
  samplers: string[];
}

/** Default uniform values written in the shader's own comments: `uniform float x; // = 1.0`. */
export function defaultUniforms(glsl: string): Record<string, number | boolean | number[]> {
  const out: Record<string, number | boolean | number[]> = {};
  // Both forms of the collection: `uniform T name; // = value` and `uniform T name /* = value */;`.
  const re = /uniform\s+(\w+)\s+(\w+)\s*(?:;\s*\/\/\s*=\s*([^\n]+)|\/\*\s*=\s*(.*?)\*\/\s*;)/g;
  for (const m of glsl.matchAll(re)) {
    const raw = (m[3] ?? m[4]).trim().replace(/;$/, '');
    if (raw === 'true' || raw === 'false') {
      out[m[2]] = raw === 'true';
      continue;
    }
    const inner = /^\w+\((.*)\)$/.exec(raw);
    const nums = (inner ? inner[1] : raw).split(',').map((s) => Number.parseFloat(s));
    out[m[2]] = nums.length === 1 ? nums[0] : nums;
  }
  return out;
}

const PRELUDE = 'uniform float progress;\nuniform float ratio;\nvec4 getFromColor(vec2 uv);\nvec4 getToColor(vec2 uv);\n';

/** Compiles a gl-transitions shader (its `transition(vec2 uv)` function) for a target. */
export function compileTransition(glsl: string, options: CompileOptions = {}): CompiledShader {
  const values = new Map(Object.entries({ ...defaultUniforms(glsl), ...(options.params ?? {}) }));
  let ast: Node;
  try {
    const src = preprocess(PRELUDE + glsl, { preserve: {} });
    ast = parse(src, { quiet: true, includeLocation: true });
  } catch (err) {
    throw new GlslCompileError(`parse error: ${(err as Error).message.split('\n')[0]}`);
  }
  const target = options.target ?? 'js';
  let c: JsTarget | CTarget | VectorTarget;
  if (target === 'simd') {
    // Compiled again with the variables that turned out to vary per lane, until none does (see
    // VectorTarget: values the same in every lane run their ifs and loops as plain C).
    const varying = new Set<string>();
    for (;;) {
      const v = new VectorTarget(values, varying);
      v.program(ast);
      c = v;
      if (v.foundVarying.size === 0) break;
      for (const name of v.foundVarying) varying.add(name);
    }
  } else {
    c = target === 'js' ? new JsTarget(values) : new CTarget(values);
    c.program(ast);
  }
  const body = c.result();
  if (!/ f\$transition\$vec2\(/.test(body)) throw new GlslCompileError('the shader has no vec4 transition(vec2 uv) function');
  return { target, source: body, samplers: c.samplers };
}
