/**
 * What the GLSL compiler's front end and its targets share: GLSL types flattened into components,
 * values as one expression per component, and the built-in functions as expressions of the
 * lowered dialect (JavaScript syntax, which the C and vector C targets rewrite textually).
 */
export type Base = 'float' | 'int' | 'bool';

export interface Field {
  name: string;
  ty: Ty;
  off: number;
}

export interface Ty {
  name: string;
  base: Base;
  /** Flattened component count. */
  n: number;
  /** Matrix size (columns = rows). */
  mat?: number;
  fields?: Field[];
}

export interface Value {
  ty: Ty;
  /** One JS expression per flattened component. */
  c: string[];
  /** Assignable JS names, when the value is an l-value. */
  lv?: string[];
}

export interface FnSig {
  js: string;
  params: Ty[];
  ret: Ty;
}

export class GlslCompileError extends Error {}

export const SCALAR = (name: Base): Ty => ({ name, base: name, n: 1 });
export const FLOAT = SCALAR('float');
export const INT = SCALAR('int');
export const BOOL = SCALAR('bool');
export const VOID: Ty = { name: 'void', base: 'float', n: 0 };

export function vecTy(base: Base, n: number): Ty {
  if (n === 1) return SCALAR(base);
  const prefix = base === 'float' ? '' : base === 'int' ? 'i' : 'b';
  return { name: `${prefix}vec${n}`, base, n };
}

export const BUILTIN_TYPES: Record<string, Ty> = {
  float: FLOAT,
  int: INT,
  bool: BOOL,
  void: VOID,
  vec2: vecTy('float', 2),
  vec3: vecTy('float', 3),
  vec4: vecTy('float', 4),
  ivec2: vecTy('int', 2),
  ivec3: vecTy('int', 3),
  ivec4: vecTy('int', 4),
  bvec2: vecTy('bool', 2),
  bvec3: vecTy('bool', 3),
  bvec4: vecTy('bool', 4),
  mat2: { name: 'mat2', base: 'float', n: 4, mat: 2 },
  mat3: { name: 'mat3', base: 'float', n: 9, mat: 3 },
  mat4: { name: 'mat4', base: 'float', n: 16, mat: 4 },
};

export const isVec = (t: Ty) => !t.mat && !t.fields && t.n > 1;
export const SWIZZLE = ['xyzw', 'rgba', 'stpq'];

/** A JS expression that needs no spilling: a name or a plain number. */
export const trivial = (e: string) => /^(?:[\w$]+|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/i.test(e);

export function num(x: number): string {
  if (Object.is(x, -0)) return '-0';
  const s = String(x);
  return x < 0 ? `(${s})` : s;
}

export const UNARY_MATH: Record<string, (x: string) => string> = {
  sin: (x) => `Math.sin(${x})`,
  cos: (x) => `Math.cos(${x})`,
  tan: (x) => `Math.tan(${x})`,
  asin: (x) => `Math.asin(${x})`,
  acos: (x) => `Math.acos(${x})`,
  exp: (x) => `Math.exp(${x})`,
  log: (x) => `Math.log(${x})`,
  exp2: (x) => `Math.pow(2, ${x})`,
  log2: (x) => `Math.log2(${x})`,
  sqrt: (x) => `Math.sqrt(${x})`,
  inversesqrt: (x) => `(1 / Math.sqrt(${x}))`,
  abs: (x) => `Math.abs(${x})`,
  sign: (x) => `sign(${x})`,
  floor: (x) => `Math.floor(${x})`,
  ceil: (x) => `Math.ceil(${x})`,
  fract: (x) => `fract(${x})`,
  radians: (x) => `(${x} * 0.017453292519943295)`,
  degrees: (x) => `(${x} * 57.29577951308232)`,
};

export const BINARY_MATH: Record<string, (a: string, b: string) => string> = {
  pow: (a, b) => `pow(${a}, ${b})`,
  mod: (a, b) => `mod(${a}, ${b})`,
  min: (a, b) => `min(${a}, ${b})`,
  max: (a, b) => `max(${a}, ${b})`,
  step: (a, b) => `step(${a}, ${b})`,
  atan: (a, b) => `Math.atan2(${a}, ${b})`,
};

export const RELATIONAL: Record<string, string> = {
  lessThan: '<',
  lessThanEqual: '<=',
  greaterThan: '>',
  greaterThanEqual: '>=',
  equal: '===',
  notEqual: '!==',
};

export interface Binding {
  ty: Ty;
  names: string[];
}

/** The base type of each flattened component of a type. */
export function componentBases(ty: Ty): Base[] {
  return ty.fields ? ty.fields.flatMap((f) => componentBases(f.ty)) : Array.from({ length: ty.n }, () => ty.base);
}

// biome-ignore lint/suspicious/noExplicitAny: the parser's AST is walked generically
export type Node = any;
