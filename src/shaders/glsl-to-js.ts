/**
 * A compiler from the GLSL ES 1.0 dialect of the gl-transitions collection to plain JavaScript,
 * to C, and to vector C.
 *
 * Every vector, matrix and struct is scalarised: a `vec2 p` becomes two JS locals `p$0`, `p$1`, and
 * every operation is expanded per component at compile time, so the generated code allocates
 * nothing per pixel and V8 compiles it to straight-line float arithmetic. Functions returning more
 * than one component write them into the shared `R` array and the caller copies them at once.
 * JS computes in float64, C in float32 like GLSL's highp; the reference test measures the effect.
 * The vector C target ('simd') gives every value one lane per pixel of a run of pixels: booleans
 * are lane masks, if/else and loops run under masks (a branch without lanes is skipped), and
 * return/break/continue clear lanes (see MaskLevel); it computes exactly what the C target does.
 *
 * Supported: float/int/bool, vecN/ivecN/bvecN, matN, structs, const and uniform globals, user
 * functions (overloaded by parameter types), if/else, for/while loops, ternaries, swizzles on both
 * sides of assignments, the GLSL ES built-in functions the collection uses, texture2D on extra
 * sampler uniforms. Not supported (refused with the shader's line): arrays, out/inout parameters,
 * discard.
 */
import { parse } from '@shaderfrog/glsl-parser/index.js';
import { preprocess } from '@shaderfrog/glsl-parser/preprocessor/index.js';

type Base = 'float' | 'int' | 'bool';

interface Field {
  name: string;
  ty: Ty;
  off: number;
}

interface Ty {
  name: string;
  base: Base;
  /** Flattened component count. */
  n: number;
  /** Matrix size (columns = rows). */
  mat?: number;
  fields?: Field[];
}

interface Value {
  ty: Ty;
  /** One JS expression per flattened component. */
  c: string[];
  /** Assignable JS names, when the value is an l-value. */
  lv?: string[];
}

interface FnSig {
  js: string;
  params: Ty[];
  ret: Ty;
}

export class GlslCompileError extends Error {}

const SCALAR = (name: Base): Ty => ({ name, base: name, n: 1 });
const FLOAT = SCALAR('float');
const INT = SCALAR('int');
const BOOL = SCALAR('bool');
const VOID: Ty = { name: 'void', base: 'float', n: 0 };

function vecTy(base: Base, n: number): Ty {
  if (n === 1) return SCALAR(base);
  const prefix = base === 'float' ? '' : base === 'int' ? 'i' : 'b';
  return { name: `${prefix}vec${n}`, base, n };
}

const BUILTIN_TYPES: Record<string, Ty> = {
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

const isVec = (t: Ty) => !t.mat && !t.fields && t.n > 1;
const SWIZZLE = ['xyzw', 'rgba', 'stpq'];

/** A JS expression that needs no spilling: a name or a plain number. */
const trivial = (e: string) => /^(?:[\w$]+|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/i.test(e);

function num(x: number): string {
  if (Object.is(x, -0)) return '-0';
  const s = String(x);
  return x < 0 ? `(${s})` : s;
}

export interface CompileOptions {
  /** Values of the shader's own uniforms (defaults from the shader's `// = ` comments otherwise). */
  params?: Record<string, number | boolean | number[]>;
  /**
   * JavaScript (default); C where every GLSL value is a \`real\` (see native.ts); or vector C
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

/** Per-component JS of the GLSL built-in helpers (kept as small functions V8 inlines). */
export const RUNTIME_HELPERS = `
function fract(x) { return x - Math.floor(x); }
function mod(x, y) { return x - y * Math.floor(x / y); }
function clamp(x, a, b) { return x < a ? a : x > b ? b : x; }
function step(e, x) { return x < e ? 0 : 1; }
function mix(a, b, t) { return a * (1 - t) + b * t; }
function smoothstep(e0, e1, x) { let t = (x - e0) / (e1 - e0); t = t < 0 ? 0 : t > 1 ? 1 : t; return t * t * (3 - 2 * t); }
function sign(x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }
function min(a, b) { return b < a ? b : a; }
function max(a, b) { return a < b ? b : a; }
function pow(a, b) { return Math.pow(a, b); }
`;

const UNARY_MATH: Record<string, (x: string) => string> = {
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

const BINARY_MATH: Record<string, (a: string, b: string) => string> = {
  pow: (a, b) => `pow(${a}, ${b})`,
  mod: (a, b) => `mod(${a}, ${b})`,
  min: (a, b) => `min(${a}, ${b})`,
  max: (a, b) => `max(${a}, ${b})`,
  step: (a, b) => `step(${a}, ${b})`,
  atan: (a, b) => `Math.atan2(${a}, ${b})`,
};

const RELATIONAL: Record<string, string> = {
  lessThan: '<',
  lessThanEqual: '<=',
  greaterThan: '>',
  greaterThanEqual: '>=',
  equal: '===',
  notEqual: '!==',
};

interface Binding {
  ty: Ty;
  names: string[];
}

/** The base type of each flattened component of a type. */
function componentBases(ty: Ty): Base[] {
  return ty.fields ? ty.fields.flatMap((f) => componentBases(f.ty)) : Array.from({ length: ty.n }, () => ty.base);
}

/**
 * A lane mask in the SIMD target: the lanes (pixels) that run the current code. Each if-branch,
 * loop and loop iteration has its own; return, break and continue clear lanes from every mask up
 * to the function's, the loop's or the iteration's.
 */
interface MaskLevel {
  mask: string;
  kind: 'fn' | 'if' | 'loop' | 'iter';
}

// biome-ignore lint/suspicious/noExplicitAny: the parser's AST is walked generically
type Node = any;

class Compiler {
  private structs = new Map<string, Ty>();
  private functions = new Map<string, FnSig[]>();
  private scopes: Map<string, Binding>[] = [new Map()];
  private out: string[] = [];
  private indent = '';
  private temp = 0;
  private names = new Map<string, number>();
  private currentReturn: Ty = VOID;
  /** Labels of the enclosing loops' bodies (undefined for while loops, where `continue` is native). */
  private loops: (string | undefined)[] = [];
  readonly samplers: string[] = [];
  private readonly uniforms: Map<string, number | boolean | number[]>;

  private inFunction = false;
  /** File-scope declarations and their initialisation (init_globals, run per frame). */
  readonly globals: string[] = [];
  readonly init: string[] = [];

  constructor(
    uniformValues: Map<string, number | boolean | number[]>,
    readonly target: Target,
  ) {
    this.uniforms = uniformValues;
    this.simd = target === 'simd';
  }

  // ---- SIMD target state -----------------------------------------------------------------------
  private readonly simd: boolean;
  /** C name → base type and the mask level it was declared under (null: file scope). */
  private vars = new Map<string, { base: Base; level: string | null }>();
  private levels: MaskLevel[] = [];
  /** Lanes cleared so far (return/break/continue statements compiled). */
  private kills = 0;
  /** Names of the current function's return value components. */
  private retNames: string[] = [];
  /** this.kills when the current function started. */
  private fnKills = 0;

  private mask(): string {
    return this.levels.length > 0 ? this.levels[this.levels.length - 1].mask : 'VTRUE';
  }

  /** A declaration in the SIMD target: every value is a vector of lanes (vi for booleans). */
  private vdecl(name: string, base: Base, expr: string): string {
    return base === 'bool' ? `vi ${name} = ${expr};` : `vf ${name} = BF(${expr});`;
  }

  /** Assigns a variable; in the SIMD target, only the running lanes unless it was declared under this very mask. */
  private assign(name: string, expr: string) {
    if (!this.simd) {
      this.emit(`${name} = ${expr};`);
      return;
    }
    const info = this.vars.get(name);
    const bool = info?.base === 'bool';
    if (!this.inFunction || info?.level === this.mask()) this.emit(`${name} = ${bool ? expr : `BF(${expr})`};`);
    else this.emit(`${name} = ${bool ? 'SELB' : 'SEL'}(${this.mask()}, ${expr}, ${name});`);
  }

  /** Clears the running lanes from every mask up to the innermost level of `kind`. */
  private kill(kind: MaskLevel['kind']) {
    const k = `k$${this.temp++}`;
    this.emit(`vi ${k} = ${this.mask()};`);
    for (let i = this.levels.length - 1; i >= 0; i--) {
      this.emit(`${this.levels[i].mask} &= ~${k};`);
      if (this.levels[i].kind === kind) break;
    }
    this.kills++;
  }

  private pushMask(expr: string, kind: MaskLevel['kind']): string {
    const m = `M$${this.temp++}`;
    this.emit(`vi ${m} = ${expr};`);
    this.levels.push({ mask: m, kind });
    return m;
  }

  /** Statements of a block; in the SIMD target, the rest of a block is skipped once no lane runs it. */
  private statements(list: Node[]) {
    let open = 0;
    for (const [i, s] of list.entries()) {
      const before = this.kills;
      this.statement(s);
      if (this.simd && this.kills > before && i < list.length - 1) {
        this.emit(`if (anyLane(${this.mask()})) {`);
        open++;
      }
    }
    for (; open > 0; open--) this.emit('}');
  }

  fail(node: Node | undefined, msg: string): never {
    const line = node?.location?.start?.line - PRELUDE_LINES;
    throw new GlslCompileError(line > 0 ? `line ${line}: ${msg}` : msg);
  }

  emit(s: string) {
    if (!this.inFunction) {
      // File-scope values are declared once and initialised by init_globals() at the start of
      // every frame: in GLSL their initialisers run per invocation and may read uniforms (progress).
      const m = /^(?:const|let|vf|vi) ([\w$]+) = (.*);$/.exec(s);
      if (!m) throw new GlslCompileError(`unsupported global statement: ${s}`);
      const vty = s.startsWith('vi ') ? 'vi' : 'vf';
      this.globals.push(this.target === 'c' ? `static real ${m[1]};` : this.simd ? `static ${vty} ${m[1]};` : `let ${m[1]} = 0;`);
      this.init.push(`  ${m[1]} = ${m[2]};`);
      return;
    }
    this.out.push(this.indent + s);
  }

  /** A fresh JS name for a GLSL name (block scoping in JS mirrors GLSL's, but names must not clash with parameters). */
  fresh(base: string): string {
    const k = (this.names.get(base) ?? 0) + 1;
    this.names.set(base, k);
    return k === 1 ? base : `${base}$${k}`;
  }

  tmp(expr: string, base: Base = 'float'): string {
    if (trivial(expr)) return expr;
    const t = `t$${this.temp++}`;
    if (this.simd) {
      this.vars.set(t, { base, level: this.inFunction ? this.mask() : null });
      this.emit(this.vdecl(t, base, expr));
    } else this.emit(`const ${t} = ${expr};`);
    return t;
  }

  spill(v: Value): Value {
    const bases = componentBases(v.ty);
    return { ty: v.ty, c: v.c.map((e, i) => this.tmp(e, bases[i])) };
  }

  lookup(name: string, node: Node): Binding {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].get(name);
      if (b) return b;
    }
    return this.fail(node, `unknown identifier '${name}'`);
  }

  declare(name: string, ty: Ty): Binding {
    const js = this.fresh(`v_${name}`);
    const b: Binding = { ty, names: Array.from({ length: ty.n }, (_, i) => `${js}$${i}`) };
    this.scopes[this.scopes.length - 1].set(name, b);
    const bases = componentBases(ty);
    for (const [i, nm] of b.names.entries()) this.vars.set(nm, { base: bases[i], level: this.inFunction ? this.mask() : null });
    return b;
  }

  typeOf(spec: Node): Ty {
    // type_specifier → keyword | type_name | struct
    const s = spec.type === 'fully_specified_type' ? spec.specifier : spec;
    if (s.quantifier && s.quantifier.length > 0) this.fail(s, 'arrays are not supported');
    const k = s.specifier;
    if (k.type === 'struct') return this.defineStruct(k);
    const name = k.token ?? k.identifier;
    const t = BUILTIN_TYPES[name] ?? this.structs.get(name);
    if (!t) this.fail(s, `unsupported type '${name}'`);
    return t;
  }

  defineStruct(node: Node): Ty {
    const fields: Field[] = [];
    let off = 0;
    for (const d of node.declarations) {
      const fty = this.typeOf(d.declaration.specified_type);
      for (const q of d.declaration.declarations) {
        fields.push({ name: q.identifier.identifier, ty: fty, off });
        off += fty.n;
      }
    }
    const name = node.typeName.identifier;
    const ty: Ty = { name, base: 'float', n: off, fields };
    this.structs.set(name, ty);
    return ty;
  }

  zero(ty: Ty): string[] {
    if (ty.fields) return ty.fields.flatMap((f) => this.zero(f.ty));
    return Array.from({ length: ty.n }, () => (ty.base === 'bool' ? 'false' : '0'));
  }

  /** Components converted to the base type of `to`. */
  convert(c: string, from: Base, to: Base): string {
    if (from === to) return c;
    if (this.simd) {
      if (to === 'bool') return `(${c} != 0)`;
      if (from === 'bool') return `B2F(${c})`;
      if (to === 'int') return `V_trunc(${c})`;
      return c;
    }
    if (to === 'bool') return `(${c} !== 0)`;
    if (from === 'bool') return `(${c} ? 1 : 0)`;
    if (to === 'int') return `Math.trunc(${c})`;
    return c;
  }

  // ---- program ---------------------------------------------------------------------------------

  program(ast: Node) {
    for (const st of ast.program) {
      if (st.type === 'function') this.functionDef(st);
      else if (st.type === 'declaration_statement') this.globalDeclaration(st);
      else if (st.type === 'preprocessor') continue;
      else this.fail(st, `unsupported top-level ${st.type}`);
    }
  }

  globalDeclaration(st: Node) {
    const d = st.declaration;
    if (d.type === 'precision') return;
    if (d.type === 'function_header' || d.type === 'function_prototype') return;
    if (d.type !== 'declarator_list') this.fail(st, `unsupported declaration ${d.type}`);
    const quals: string[] = (d.specified_type.qualifiers ?? []).map((q: Node) => q.token);
    const spec = d.specified_type.specifier.specifier;
    if (spec.type === 'struct' && d.declarations.length === 0) {
      this.defineStruct(spec);
      return;
    }
    if (quals.includes('uniform')) {
      const name0 = spec.token ?? spec.identifier;
      for (const decl of d.declarations) {
        const name = decl.identifier.identifier;
        if (name0 === 'sampler2D') {
          this.samplers.push(name);
          this.scopes[0].set(name, { ty: { name: 'sampler2D', base: 'float', n: 0 }, names: [`S_${name}`] });
          continue;
        }
        const ty = this.typeOf(d.specified_type);
        if (name === 'progress' || name === 'ratio') {
          this.scopes[0].set(name, { ty, names: [name] });
          continue;
        }
        const b = this.declare(name, ty);
        const value = this.uniforms.get(name);
        if (value === undefined) this.fail(decl, `uniform '${name}' has no value`);
        const arr = Array.isArray(value) ? value : [value];
        const comps = ty.n === arr.length ? arr : ty.n > 1 && arr.length === 1 ? Array.from({ length: ty.n }, () => arr[0]) : undefined;
        if (!comps) this.fail(decl, `uniform '${name}' needs ${ty.n} values`);
        b.names.forEach((nm, i) => {
          const v = comps[i];
          const value =
            typeof v === 'boolean' ? String(v) : ty.base === 'bool' ? String(v !== 0) : num(ty.base === 'int' ? Math.trunc(v) : v);
          this.emit(this.simd ? this.vdecl(nm, ty.base, value) : `const ${nm} = ${value};`);
        });
      }
      return;
    }
    this.localDeclaration(d);
  }

  functionDef(fn: Node) {
    const proto = fn.prototype;
    const name: string = proto.header.name.identifier;
    const ret = this.typeOf(proto.header.returnType);
    const params: { name: string; ty: Ty }[] = [];
    for (const p of proto.parameters ?? []) {
      const quals = (p.qualifier ?? []).map((q: Node) => q.token);
      if (quals.includes('out') || quals.includes('inout')) this.fail(p, 'out/inout parameters are not supported');
      const ty = this.typeOf(p.specifier);
      if (ty.name === 'void') continue;
      params.push({ name: p.identifier?.identifier ?? `_${params.length}`, ty });
    }
    const sig: FnSig = { js: `f$${name}$${params.map((p) => p.ty.name).join('_')}`, params: params.map((p) => p.ty), ret };
    const list = this.functions.get(name) ?? [];
    if (!list.some((s) => s.js === sig.js)) list.push(sig);
    this.functions.set(name, list);

    this.scopes.push(new Map());
    if (this.simd) {
      this.simdFunction(sig, params, fn);
      return;
    }
    const jsParams = params.flatMap((p) => this.declare(p.name, p.ty).names);
    this.inFunction = true;
    if (this.target === 'c') {
      const cParams = jsParams.length > 0 ? jsParams.map((p) => `real ${p}`).join(', ') : 'void';
      this.emit(`static ${ret.n === 1 ? 'real' : 'void'} ${sig.js}(${cParams}) {`);
    } else this.emit(`function ${sig.js}(${jsParams.join(', ')}) {`);
    const saveIndent = this.indent;
    this.indent += '  ';
    this.currentReturn = ret;
    for (const s of fn.body.statements) this.statement(s);
    this.indent = saveIndent;
    this.emit('}');
    this.inFunction = false;
    this.scopes.pop();
  }

  /**
   * A function of the SIMD target: \`f(vi mask, vf params...)\`; return statements set the running
   * lanes of the return value (components rv$i), which is returned (one component) or written to R
   * at the end.
   */
  simdFunction(sig: FnSig, params: { name: string; ty: Ty }[], fn: Node) {
    this.inFunction = true;
    this.fnKills = this.kills;
    const entry = `M$${this.temp++}`;
    this.levels = [{ mask: entry, kind: 'fn' }];
    const cParams = [
      `vi ${entry}`,
      ...params.flatMap((p) => this.declare(p.name, p.ty).names.map((nm) => `${this.vars.get(nm)!.base === 'bool' ? 'vi' : 'vf'} ${nm}`)),
    ];
    const retBases = componentBases(sig.ret);
    const retType = sig.ret.n === 1 ? (retBases[0] === 'bool' ? 'vi' : 'vf') : 'void';
    this.emit(`static ${retType} ${sig.js}(${cParams.join(', ')}) {`);
    const saveIndent = this.indent;
    this.indent += '  ';
    this.currentReturn = sig.ret;
    this.retNames = retBases.map((_, i) => `rv$${this.temp}$${i}`);
    this.temp++;
    for (const [i, nm] of this.retNames.entries()) {
      // Set lane by lane (never under the mask they are declared at).
      this.vars.set(nm, { base: retBases[i], level: null });
      this.emit(`${retBases[i] === 'bool' ? 'vi' : 'vf'} ${nm} = {};`);
    }
    this.statements(fn.body.statements);
    if (retType !== 'void') this.emit(`return ${this.retNames[0]};`);
    else if (this.retNames.length > 0)
      this.emit(this.retNames.map((nm, i) => `R[${i}] = ${retBases[i] === 'bool' ? `B2F(${nm})` : nm};`).join(' '));
    this.indent = saveIndent;
    this.emit('}');
    this.levels = [];
    this.inFunction = false;
    this.scopes.pop();
  }

  // ---- statements ------------------------------------------------------------------------------

  block(statements: Node[]) {
    this.scopes.push(new Map());
    const saveIndent = this.indent;
    this.indent += '  ';
    this.statements(statements);
    this.indent = saveIndent;
    this.scopes.pop();
  }

  body(node: Node) {
    this.block(node.type === 'compound_statement' ? node.statements : [node]);
  }

  statement(s: Node) {
    switch (s.type) {
      case 'compound_statement':
        this.emit('{');
        this.block(s.statements);
        this.emit('}');
        return;
      case 'declaration_statement':
        if (s.declaration.type === 'declarator_list') this.localDeclaration(s.declaration);
        else if (s.declaration.type !== 'precision') this.fail(s, `unsupported declaration ${s.declaration.type}`);
        return;
      case 'expression_statement':
        if (s.expression) this.expr(s.expression);
        return;
      case 'return_statement':
        this.returnStatement(s);
        return;
      case 'if_statement': {
        if (this.simd) {
          this.simdIf(s);
          return;
        }
        const c = this.scalar(this.expr(s.condition));
        this.emit(`if (${c}) {`);
        this.body(s.body);
        if (s.else && s.else.length > 0) {
          const e = s.else[s.else.length - 1];
          this.emit('} else {');
          this.body(e);
        }
        this.emit('}');
        return;
      }
      case 'for_statement':
        this.forStatement(s);
        return;
      case 'while_statement': {
        if (this.simd) {
          this.simdLoop(s, undefined, s.condition, undefined);
          return;
        }
        this.emit('while (true) {');
        const saveIndent = this.indent;
        this.indent += '  ';
        const c = this.scalar(this.expr(s.condition));
        this.emit(`if (!(${c})) break;`);
        this.indent = saveIndent;
        this.loops.push(undefined);
        this.body(s.body);
        this.loops.pop();
        this.emit('}');
        return;
      }
      case 'break_statement':
        if (this.simd) this.kill('loop');
        else this.emit('break;');
        return;
      case 'continue_statement': {
        if (this.simd) {
          this.kill('iter');
          return;
        }
        const label = this.loops[this.loops.length - 1];
        this.emit(label ? (this.target === 'c' ? `goto ${label};` : `break ${label};`) : 'continue;');
        return;
      }
      case 'preprocessor':
        return;
      default:
        this.fail(s, `unsupported statement ${s.type}`);
    }
  }

  localDeclaration(d: Node) {
    const spec = d.specified_type.specifier.specifier;
    if (spec.type === 'struct') this.defineStruct(spec);
    const ty = this.typeOf(d.specified_type);
    for (const decl of d.declarations) {
      if (decl.quantifier && decl.quantifier.length > 0) this.fail(decl, 'arrays are not supported');
      const init = decl.initializer ? this.coerce(this.expr(decl.initializer), ty, decl) : undefined;
      const values = init ? this.spillIfMany(init).c : this.zero(ty);
      const b = this.declare(decl.identifier.identifier, ty);
      for (const [i, nm] of b.names.entries())
        this.emit(this.simd ? this.vdecl(nm, this.vars.get(nm)!.base, values[i]) : `let ${nm} = ${values[i]};`);
    }
  }

  spillIfMany(v: Value): Value {
    return v.c.length > 1 ? this.spill(v) : v;
  }

  returnStatement(s: Node) {
    const ty = this.currentReturn;
    if (this.simd) {
      if (s.expression) {
        const v = this.coerce(this.expr(s.expression), ty, s);
        // Every running lane returns here when no lane has left the function yet at its top level.
        const all = this.levels.length === 1 && this.kills === this.fnKills;
        const bases = componentBases(ty);
        for (const [i, nm] of this.retNames.entries()) {
          if (all) this.emit(`${nm} = ${bases[i] === 'bool' ? v.c[i] : `BF(${v.c[i]})`};`);
          else this.assign(nm, v.c[i]);
        }
      }
      this.kill('fn');
      return;
    }
    if (!s.expression) {
      this.emit('return;');
      return;
    }
    const v = this.coerce(this.expr(s.expression), ty, s);
    if (ty.n === 1) {
      this.emit(`return ${v.c[0]};`);
      return;
    }
    const sv = this.spill(v);
    this.emit(`${sv.c.map((c, i) => `R[${i}] = ${c};`).join(' ')} return;`);
  }

  /** if/else in the SIMD target: each branch runs under its lanes, and only when it has some. */
  simdIf(s: Node) {
    const c = this.tmp(this.scalar(this.expr(s.condition)), 'bool');
    const outer = this.mask();
    const branch = (node: Node, m: string) => {
      this.pushMask(m, 'if');
      this.emit(`if (anyLane(${this.mask()})) {`);
      this.body(node);
      this.emit('}');
      this.levels.pop();
    };
    branch(s.body, `${outer} & ${c}`);
    if (s.else && s.else.length > 0) branch(s.else[s.else.length - 1], `${outer} & ~${c}`);
  }

  /**
   * Loops in the SIMD target: lanes leave the loop when its condition fails for them or they
   * break; the loop ends when no lane is left. \`continue\` clears lanes from the iteration's mask.
   */
  simdLoop(s: Node, init: Node | undefined, condition: Node | undefined, operation: Node | undefined) {
    this.scopes.push(new Map());
    this.emit('{');
    const saveIndent = this.indent;
    this.indent += '  ';
    if (init) {
      if (init.type === 'declarator_list') this.localDeclaration(init);
      else if (init.type === 'declaration_statement') this.localDeclaration(init.declaration);
      else this.expr(init.expression ?? init);
    }
    const live = this.pushMask(this.mask(), 'loop');
    this.emit('for (;;) {');
    this.indent += '  ';
    if (condition) {
      const c = this.tmp(this.scalar(this.expr(condition)), 'bool');
      this.emit(`${live} &= ${c};`);
    }
    this.emit(`if (!anyLane(${live})) break;`);
    this.pushMask(live, 'iter');
    this.emit('{');
    this.body(s.body);
    this.emit('}');
    this.levels.pop();
    if (operation) this.expr(operation);
    this.indent = `${saveIndent}  `;
    this.emit('}');
    this.levels.pop();
    this.indent = saveIndent;
    this.emit('}');
    this.scopes.pop();
  }

  forStatement(s: Node) {
    if (this.simd) {
      this.simdLoop(s, s.init, s.condition, s.operation);
      return;
    }
    this.scopes.push(new Map());
    this.emit('{');
    const saveIndent = this.indent;
    this.indent += '  ';
    if (s.init) {
      if (s.init.type === 'declarator_list') this.localDeclaration(s.init);
      else if (s.init.type === 'declaration_statement') this.localDeclaration(s.init.declaration);
      else this.expr(s.init.expression ?? s.init);
    }
    this.emit('while (true) {');
    this.indent += '  ';
    if (s.condition) {
      const c = this.scalar(this.expr(s.condition));
      this.emit(`if (!(${c})) break;`);
    }
    // The body sits in a labelled block so that `continue` (a break out of it) reaches the step.
    const label = `body$${this.temp++}`;
    this.emit(this.target === 'c' ? '{' : `${label}: {`);
    this.loops.push(label);
    this.body(s.body);
    this.loops.pop();
    this.emit(this.target === 'c' ? `} ${label}:;` : '}');
    if (s.operation) this.expr(s.operation);
    this.indent = `${saveIndent}  `;
    this.emit('}');
    this.indent = saveIndent;
    this.emit('}');
    this.scopes.pop();
  }

  // ---- expressions -----------------------------------------------------------------------------

  scalar(v: Value): string {
    if (v.c.length !== 1) this.fail(undefined, `expected a scalar, got ${v.ty.name}`);
    return v.c[0];
  }

  coerce(v: Value, ty: Ty, node: Node): Value {
    if (v.ty.name === ty.name) return v;
    if (v.ty.n === ty.n && !ty.fields && !v.ty.fields) return { ty, c: v.c.map((c) => this.convert(c, v.ty.base, ty.base)) };
    return this.fail(node, `cannot use ${v.ty.name} as ${ty.name}`);
  }

  expr(e: Node): Value {
    switch (e.type) {
      case 'float_constant': {
        // Written with a decimal point, so that the C target keeps it a float (2.0 / 3.0 is not 0).
        const x = Number.parseFloat(e.token.replace(/f$/i, ''));
        return { ty: FLOAT, c: [Number.isInteger(x) && Math.abs(x) < 1e15 ? num(x).replace(/(\d+)/, '$1.0') : num(x)] };
      }
      case 'int_constant':
        return { ty: INT, c: [num(Number.parseInt(e.token, /^0x/i.test(e.token) ? 16 : /^0\d/.test(e.token) ? 8 : 10))] };
      case 'bool_constant':
        return { ty: BOOL, c: [e.token] };
      case 'identifier': {
        const b = this.lookup(e.identifier, e);
        return { ty: b.ty, c: [...b.names], lv: [...b.names] };
      }
      case 'group':
        return this.expr(e.expression);
      case 'binary':
        return this.binary(e.operator.literal, this.expr(e.left), this.expr(e.right), e);
      case 'unary':
        return this.unary(e);
      case 'postfix':
        return this.postfix(e);
      case 'assignment':
        return this.assignment(e);
      case 'ternary': {
        const c = this.tmp(this.scalar(this.expr(e.expression)), 'bool');
        if (this.simd) {
          // Both sides are computed (under their own lanes, for texture reads) and selected per lane.
          const outer = this.mask();
          this.pushMask(`${outer} & ${c}`, 'if');
          const a = this.spill(this.expr(e.left));
          this.levels.pop();
          this.pushMask(`${outer} & ~${c}`, 'if');
          const b = this.spill(this.coerce(this.expr(e.right), a.ty, e));
          this.levels.pop();
          const bases = componentBases(a.ty);
          return { ty: a.ty, c: a.c.map((x, i) => `${bases[i] === 'bool' ? 'SELB' : 'SEL'}(${c}, ${x}, ${b.c[i]})`) };
        }
        const a = this.expr(e.left);
        const b = this.coerce(this.expr(e.right), a.ty, e);
        return { ty: a.ty, c: a.c.map((x, i) => `(${c} ? ${x} : ${b.c[i]})`) };
      }
      case 'function_call':
        return this.call(e);
      case 'sequence':
      case 'comma': {
        let last: Value | undefined;
        for (const x of e.expressions ?? []) last = this.expr(x);
        if (!last) this.fail(e, 'empty sequence');
        return last;
      }
      default:
        return this.fail(e, `unsupported expression ${e.type}`);
    }
  }

  unary(e: Node): Value {
    const op = e.operator.literal;
    const v = this.expr(e.expression);
    switch (op) {
      case '-':
        return { ty: v.ty, c: v.c.map((c) => `(-${c})`) };
      case '+':
        return { ty: v.ty, c: v.c };
      case '!':
        return { ty: v.ty, c: v.c.map((c) => (this.simd ? `(~${c})` : `(!${c})`)) };
      case '++':
      case '--': {
        if (!v.lv) this.fail(e, `${op} needs a variable`);
        for (const n of v.lv) this.assign(n, `(${n} ${op === '++' ? '+' : '-'} 1)`);
        return { ty: v.ty, c: v.lv };
      }
      default:
        return this.fail(e, `unsupported unary ${op}`);
    }
  }

  postfix(e: Node): Value {
    const p = e.postfix;
    if (p.type === 'field_selection') {
      const v = this.expr(e.expression);
      const sel: string = p.selection.identifier ?? p.selection.literal;
      if (v.ty.fields) {
        const f = v.ty.fields.find((x) => x.name === sel);
        if (!f) this.fail(e, `${v.ty.name} has no field '${sel}'`);
        const pick = <T>(a: T[]) => a.slice(f.off, f.off + f.ty.n);
        return { ty: f.ty, c: pick(v.c), lv: v.lv ? pick(v.lv) : undefined };
      }
      const set = SWIZZLE.find((s) => [...sel].every((ch) => s.includes(ch)));
      if (!set || sel.length > 4) this.fail(e, `bad swizzle '.${sel}'`);
      const idx = [...sel].map((ch) => set.indexOf(ch));
      if (idx.some((i) => i >= v.ty.n)) this.fail(e, `swizzle '.${sel}' out of range for ${v.ty.name}`);
      const ty = vecTy(v.ty.base, idx.length);
      return { ty, c: idx.map((i) => v.c[i]), lv: v.lv ? idx.map((i) => v.lv![i]) : undefined };
    }
    if (p.type === 'quantifier') {
      const v = this.expr(e.expression);
      const idxV = this.expr(p.expression);
      const k = Number(idxV.c[0]);
      if (!Number.isInteger(k)) this.fail(e, 'only constant indices are supported');
      if (v.ty.mat) {
        const m = v.ty.mat;
        const pick = <T>(a: T[]) => a.slice(k * m, k * m + m);
        return { ty: vecTy('float', m), c: pick(v.c), lv: v.lv ? pick(v.lv) : undefined };
      }
      if (isVec(v.ty)) return { ty: SCALAR(v.ty.base), c: [v.c[k]], lv: v.lv ? [v.lv[k]] : undefined };
      return this.fail(e, 'indexing is supported on vectors and matrices only');
    }
    if (p.type === 'literal' && (p.literal === '++' || p.literal === '--')) {
      const v = this.expr(e.expression);
      if (!v.lv) this.fail(e, `${p.literal} needs a variable`);
      const old = v.lv.map((n) => this.tmp(`(${n} + 0)`));
      for (const n of v.lv) this.assign(n, `(${n} ${p.literal === '++' ? '+' : '-'} 1)`);
      return { ty: v.ty, c: old };
    }
    if (p.type === 'function_call' || e.expression?.type === 'function_call') return this.fail(e, 'method calls are not supported');
    return this.fail(e, `unsupported postfix ${p.type}`);
  }

  assignment(e: Node): Value {
    const op: string = e.operator.literal;
    const left = this.expr(e.left);
    if (!left.lv) this.fail(e, 'left side of an assignment is not a variable');
    let right = this.expr(e.right);
    if (op !== '=') right = this.binary(op.slice(0, -1), left, right, e);
    right = this.coerce(right, left.ty, e);
    const r = left.lv.length > 1 ? this.spill(right) : right;
    for (const [i, n] of left.lv.entries()) this.assign(n, r.c[i]);
    return { ty: left.ty, c: left.lv, lv: left.lv };
  }

  binary(op: string, a: Value, b: Value, node: Node): Value {
    // Booleans are lane masks in the SIMD target: both sides are computed, combined bitwise.
    const and = this.simd ? ' & ' : ' && ';
    if (op === '&&' || op === '||')
      return { ty: BOOL, c: [`(${this.scalar(a)}${op === '&&' ? and : this.simd ? ' | ' : ' || '}${this.scalar(b)})`] };
    if (op === '^^') return { ty: BOOL, c: [`(${this.scalar(a)} !== ${this.scalar(b)})`] };
    if (op === '==' || op === '!=') {
      const parts = a.c.map((x, i) => `${x} === ${b.c[i]}`);
      const all = `(${parts.join(and)})`;
      return { ty: BOOL, c: [op === '==' ? all : this.simd ? `(~${all})` : `(!${all})`] };
    }
    if (op === '<' || op === '>' || op === '<=' || op === '>=') return { ty: BOOL, c: [`(${this.scalar(a)} ${op} ${this.scalar(b)})`] };
    if (!['+', '-', '*', '/'].includes(op)) this.fail(node, `unsupported operator ${op}`);
    const base: Base = a.ty.base === 'float' || b.ty.base === 'float' ? 'float' : a.ty.base;
    const arith = (x: string, y: string) => (base === 'int' && op === '/' ? `Math.trunc(${x} / ${y})` : `(${x} ${op} ${y})`);
    // Linear algebra products.
    if (op === '*' && (a.ty.mat || b.ty.mat) && a.ty.n > 1 && b.ty.n > 1) return this.matProduct(a, b, node);
    if (a.ty.n === b.ty.n) return { ty: a.ty.n >= b.ty.n ? a.ty : b.ty, c: a.c.map((x, i) => arith(x, b.c[i])) };
    if (a.ty.n === 1) {
      const s = this.tmp(a.c[0], a.ty.base);
      return { ty: b.ty.base === base ? b.ty : vecTy(base, b.ty.n), c: b.c.map((y) => arith(s, y)) };
    }
    if (b.ty.n === 1) {
      const s = this.tmp(b.c[0], b.ty.base);
      return { ty: a.ty.base === base ? a.ty : vecTy(base, a.ty.n), c: a.c.map((x) => arith(x, s)) };
    }
    return this.fail(node, `cannot apply ${op} to ${a.ty.name} and ${b.ty.name}`);
  }

  matProduct(a0: Value, b0: Value, node: Node): Value {
    const a = this.spill(a0);
    const b = this.spill(b0);
    const sum = (terms: string[]) => `(${terms.join(' + ')})`;
    if (a.ty.mat && b.ty.mat) {
      const m = a.ty.mat;
      const c: string[] = [];
      for (let j = 0; j < m; j++)
        for (let i = 0; i < m; i++) c.push(sum(Array.from({ length: m }, (_, k) => `${a.c[k * m + i]} * ${b.c[j * m + k]}`)));
      return { ty: a.ty, c };
    }
    if (a.ty.mat && isVec(b.ty)) {
      const m = a.ty.mat;
      return {
        ty: b.ty,
        c: Array.from({ length: m }, (_, i) => sum(Array.from({ length: m }, (_, k) => `${a.c[k * m + i]} * ${b.c[k]}`))),
      };
    }
    if (isVec(a.ty) && b.ty.mat) {
      const m = b.ty.mat;
      return {
        ty: a.ty,
        c: Array.from({ length: m }, (_, j) => sum(Array.from({ length: m }, (_, k) => `${a.c[k]} * ${b.c[j * m + k]}`))),
      };
    }
    return this.fail(node, `cannot multiply ${a.ty.name} by ${b.ty.name}`);
  }

  call(e: Node): Value {
    const id = e.identifier;
    const name: string = id.type === 'type_specifier' ? (id.specifier.token ?? id.specifier.identifier) : id.identifier;
    const args: Value[] = (e.args ?? []).filter((a: Node) => !(a.type === 'literal' && a.literal === ',')).map((a: Node) => this.expr(a));
    const ctor = BUILTIN_TYPES[name] ?? this.structs.get(name);
    if (ctor && name !== 'void') return this.construct(ctor, args, e);
    const user = this.functions.get(name);
    if (user) return this.callUser(name, user, args, e);
    return this.builtin(name, args, e);
  }

  construct(ty: Ty, args: Value[], node: Node): Value {
    const flat = args.flatMap((a) => a.c.map((c) => ({ c, base: a.ty.base })));
    if (ty.fields) {
      if (flat.length !== ty.n) this.fail(node, `${ty.name}() needs ${ty.n} components`);
      return { ty, c: flat.map((x) => x.c) };
    }
    if (args.length === 1 && args[0].ty.n === 1 && ty.n > 1) {
      const s = this.tmp(this.convert(flat[0].c, flat[0].base, ty.base), ty.base);
      if (ty.mat) return { ty, c: Array.from({ length: ty.n }, (_, i) => (i % (ty.mat! + 1) === 0 ? s : '0')) };
      return { ty, c: Array.from({ length: ty.n }, () => s) };
    }
    if (flat.length < ty.n) this.fail(node, `${ty.name}() needs ${ty.n} components, got ${flat.length}`);
    return { ty, c: flat.slice(0, ty.n).map((x) => this.convert(x.c, x.base, ty.base)) };
  }

  callUser(name: string, sigs: FnSig[], args: Value[], node: Node): Value {
    const sig =
      sigs.find((s) => s.params.length === args.length && s.params.every((p, i) => p.name === args[i].ty.name)) ??
      sigs.find((s) => s.params.length === args.length && s.params.every((p, i) => p.n === args[i].ty.n));
    if (!sig) this.fail(node, `no overload of ${name} for (${args.map((a) => a.ty.name).join(', ')})`);
    const bases = sig.params.flatMap(componentBases);
    const flat = args.flatMap((a, i) => this.coerce(a, sig.params[i], node).c).map((c, i) => this.tmp(c, bases[i]));
    const call = this.simd
      ? `${sig.js}(${[this.mask(), ...flat.map((c, i) => (bases[i] === 'bool' ? c : `BF(${c})`))].join(', ')})`
      : `${sig.js}(${flat.join(', ')})`;
    if (sig.ret.n === 0) {
      this.emit(`${call};`);
      return { ty: VOID, c: [] };
    }
    if (sig.ret.n === 1) return { ty: sig.ret, c: [this.tmp(call, sig.ret.base)] };
    this.emit(`${call};`);
    return this.readR(sig.ret);
  }

  readR(ty: Ty): Value {
    return { ty, c: componentBases(ty).map((b, i) => this.tmp(b === 'bool' ? `(R[${i}] !== 0)` : `R[${i}]`, b)) };
  }

  builtin(name: string, args: Value[], node: Node): Value {
    const arity = (n: number) => {
      if (args.length !== n) this.fail(node, `${name}() takes ${n} arguments`);
    };
    // Component-wise with scalar broadcasting of any argument.
    const each = (fn: (...xs: string[]) => string, ty?: Ty): Value => {
      const n = Math.max(...args.map((a) => a.ty.n));
      const parts = args.map((a) => (a.ty.n === 1 && n > 1 ? { ...a, c: [this.tmp(a.c[0], a.ty.base)] } : a));
      const outTy = ty ?? parts.find((a) => a.ty.n === n)!.ty;
      return { ty: outTy, c: Array.from({ length: n }, (_, i) => fn(...parts.map((a) => (a.ty.n === 1 ? a.c[0] : a.c[i])))) };
    };
    if (name === 'getFromColor' || name === 'getToColor' || name === 'texture2D') {
      let tex = name === 'getFromColor' ? 'FROM' : 'TO';
      let uv = args[0];
      if (name === 'texture2D') {
        const s = args[0];
        if (s.ty.name !== 'sampler2D') this.fail(node, 'texture2D needs a sampler uniform');
        tex = s.c[0];
        uv = args[1];
      }
      if (uv.ty.n !== 2) this.fail(node, `${name}() takes a vec2`);
      this.emit(this.simd ? `sample(${this.mask()}, ${tex}, BF(${uv.c[0]}), BF(${uv.c[1]}));` : `sample(${tex}, ${uv.c[0]}, ${uv.c[1]});`);
      return this.readR(BUILTIN_TYPES.vec4);
    }
    if (UNARY_MATH[name] && !(name === 'atan' && args.length === 2)) {
      arity(1);
      return each(UNARY_MATH[name]);
    }
    if (name === 'atan') {
      if (args.length === 1) return each((x) => `Math.atan(${x})`);
      return each(BINARY_MATH.atan);
    }
    if (BINARY_MATH[name]) {
      arity(2);
      return each(BINARY_MATH[name]);
    }
    switch (name) {
      case 'clamp':
        arity(3);
        return each((x, a, b) => `clamp(${x}, ${a}, ${b})`);
      case 'mix':
        arity(3);
        return each((a, b, t) => `mix(${a}, ${b}, ${t})`);
      case 'smoothstep':
        arity(3);
        return each((a, b, x) => `smoothstep(${a}, ${b}, ${x})`);
      case 'dot': {
        arity(2);
        return { ty: FLOAT, c: [`(${args[0].c.map((x, i) => `${x} * ${args[1].c[i]}`).join(' + ')})`] };
      }
      case 'length': {
        arity(1);
        const v = this.spill(args[0]);
        return { ty: FLOAT, c: [v.c.length === 1 ? `Math.abs(${v.c[0]})` : `Math.sqrt(${v.c.map((x) => `${x} * ${x}`).join(' + ')})`] };
      }
      case 'distance': {
        arity(2);
        const d = this.spill(this.binary('-', args[0], args[1], node));
        return { ty: FLOAT, c: [d.c.length === 1 ? `Math.abs(${d.c[0]})` : `Math.sqrt(${d.c.map((x) => `${x} * ${x}`).join(' + ')})`] };
      }
      case 'normalize': {
        arity(1);
        const v = this.spill(args[0]);
        const l = this.tmp(`Math.sqrt(${v.c.map((x) => `${x} * ${x}`).join(' + ')})`);
        return { ty: v.ty, c: v.c.map((x) => `(${x} / ${l})`) };
      }
      case 'cross': {
        arity(2);
        const [a, b] = [this.spill(args[0]), this.spill(args[1])];
        const [x, y] = [a.c, b.c];
        return {
          ty: a.ty,
          c: [
            `(${x[1]} * ${y[2]} - ${y[1]} * ${x[2]})`,
            `(${x[2]} * ${y[0]} - ${y[2]} * ${x[0]})`,
            `(${x[0]} * ${y[1]} - ${y[0]} * ${x[1]})`,
          ],
        };
      }
      case 'reflect': {
        arity(2);
        const [I, N] = [this.spill(args[0]), this.spill(args[1])];
        const d = this.tmp(`(${N.c.map((x, i) => `${x} * ${I.c[i]}`).join(' + ')})`);
        return { ty: I.ty, c: I.c.map((x, i) => `(${x} - 2 * ${d} * ${N.c[i]})`) };
      }
      case 'any':
      case 'all':
        arity(1);
        return { ty: BOOL, c: [`(${args[0].c.join(name === 'any' ? (this.simd ? ' | ' : ' || ') : this.simd ? ' & ' : ' && ')})`] };
      case 'not':
        arity(1);
        return { ty: args[0].ty, c: args[0].c.map((x) => (this.simd ? `(~${x})` : `(!${x})`)) };
      case 'matrixCompMult':
        arity(2);
        return { ty: args[0].ty, c: args[0].c.map((x, i) => `(${x} * ${args[1].c[i]})`) };
    }
    if (RELATIONAL[name]) {
      arity(2);
      const op = RELATIONAL[name];
      return { ty: vecTy('bool', args[0].ty.n), c: args[0].c.map((x, i) => `(${x} ${op} ${args[1].c[i]})`) };
    }
    return this.fail(node, `unknown function '${name}'`);
  }

  result(): string {
    const js = this.out.join('\n');
    if (this.target === 'js') return [...this.globals, js, 'function init_globals() {', ...this.init, '}'].join('\n');
    if (this.simd) {
      // Vector C: the helpers and math functions are the V_ versions in c/vector.h.
      const toV = (code: string) =>
        code
          .replace(/\bMath\.(\w+)\(/g, 'V_$1(')
          .replace(/(?<![\w$])(fract|mod|clamp|step|mix|smoothstep|sign|min|max|pow)\(/g, 'V_$1(')
          .replace(/===/g, '==')
          .replace(/!==/g, '!=')
          .replace(/\btrue\b/g, 'VTRUE')
          .replace(/\bfalse\b/g, 'VFALSE')
          .replace(/(?<![\w$.])(\d+\.\d*(?:e[+-]?\d+)?|\d+e[+-]?\d+)(?![\w.])/gi, '(real)$1');
      return [...this.globals, toV(js), 'static void init_globals(void) {', ...this.init.map(toV), '}'].join('\n');
    }
    // The emitted JS subset maps to C textually: every value is a double.
    const toC = (code: string) =>
      code
        .replace(/\bMath\.abs\(/g, 'fabs(')
        .replace(/\bMath\.(sin|cos|atan2|atan)\(/g, 'gl_$1(')
        .replace(/\bMath\./g, '')
        .replace(/===/g, '==')
        .replace(/!==/g, '!=')
        .replace(/\btrue\b/g, '1')
        .replace(/\bfalse\b/g, '0')
        // Floating literals are GLSL floats: typed as \`real\` so that float32 builds stay float32.
        .replace(/(?<![\w$.])(\d+\.\d*(?:e[+-]?\d+)?|\d+e[+-]?\d+)(?![\w.])/gi, '(real)$1');
    const c = toC(js).replace(/^(\s*)(?:const|let) /gm, '$1real ');
    return [...this.globals, c, 'static void init_globals(void) {', ...this.init.map(toC), '}'].join('\n');
  }
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

const PRELUDE_LINES = 4;
const PRELUDE = 'uniform float progress;\nuniform float ratio;\nvec4 getFromColor(vec2 uv);\nvec4 getToColor(vec2 uv);\n';

/** Compiles a gl-transitions shader (its `transition(vec2 uv)` function) to JavaScript. */
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
  const c = new Compiler(values, target);
  c.program(ast);
  const body = c.result();
  if (!/ f\$transition\$vec2\(/.test(body)) throw new GlslCompileError('the shader has no vec4 transition(vec2 uv) function');
  return { target, source: body, samplers: c.samplers };
}
