/**
 * The GLSL compiler's front end: walks the parsed shader (the GLSL ES 1.0 dialect of the
 * gl-transitions collection), checks and flattens its types, and lowers every expression to one
 * expression per component, so that the generated code allocates nothing per pixel. Statements and
 * declarations are said by each target (js.ts, c.ts, vector.ts), which extends this class;
 * expressions are written in JavaScript syntax, which the C targets rewrite textually at the end.
 * Functions returning more than one component write them into the shared `R` array and the caller
 * copies them at once.
 */
import {
  type Base,
  type Binding,
  BINARY_MATH,
  BOOL,
  BUILTIN_TYPES,
  componentBases,
  FLOAT,
  type Field,
  type FnSig,
  GlslCompileError,
  INT,
  isVec,
  type Node,
  num,
  RELATIONAL,
  SCALAR,
  SWIZZLE,
  trivial,
  type Ty,
  UNARY_MATH,
  type Value,
  VOID,
  vecTy,
} from './types.js';

/** Lines of the prelude the compiler puts before the shader (error lines are the shader's own). */
const PRELUDE_LINES = 4;

export abstract class Lowering {
  private structs = new Map<string, Ty>();
  private functions = new Map<string, FnSig[]>();
  protected scopes: Map<string, Binding>[] = [new Map()];
  private out: string[] = [];
  protected indent = '';
  protected temp = 0;
  private names = new Map<string, number>();
  protected currentReturn: Ty = VOID;
  readonly samplers: string[] = [];
  private readonly uniforms: Map<string, number | boolean | number[]>;

  protected inFunction = false;
  /** File-scope declarations and their initialisation (init_globals, run per frame). */
  readonly globals: string[] = [];
  readonly init: string[] = [];

  constructor(uniformValues: Map<string, number | boolean | number[]>) {
    this.uniforms = uniformValues;
  }

  // ---- what each target says its own way ----------------------------------------------------------

  /** The file-scope declaration of a value set by init_globals() (`vector`: a lane vector, `bool`: a mask). */
  protected abstract fileScopeDeclaration(name: string, bool: boolean): string;
  /** Emits a temporary holding `expr`. */
  protected abstract declareTemp(name: string, base: Base, expr: string): void;
  /** The statement declaring a constant (uniform values) or a variable. */
  protected abstract declaration(name: string, base: Base, expr: string, kind: 'const' | 'let'): string;
  /** Emits `name = expr`. */
  abstract assign(name: string, expr: string): void;
  /** A function's definition: parameters declared, body compiled. */
  protected abstract functionBody(sig: FnSig, params: { name: string; ty: Ty }[], fn: Node): void;
  protected abstract ifStatement(s: Node): void;
  protected abstract whileStatement(s: Node): void;
  protected abstract forStatement(s: Node): void;
  protected abstract breakStatement(): void;
  protected abstract continueStatement(): void;
  protected abstract returnStatement(s: Node): void;
  /** `c ? left : right` per component. */
  protected abstract select(c: string, e: Node): Value;
  /** Boolean operators of the target's booleans. */
  protected abstract readonly logic: { and: string; or: string; not: (x: string) => string };
  /** A call of a user function with its flattened arguments (of the given bases). */
  protected abstract callExpression(sig: FnSig, args: string[], bases: Base[]): string;
  /** The statement that reads a texture into R. */
  protected abstract sampleStatement(tex: string, u: string, v: string): string;
  /** Names declared with their bases (the vector target records where). */
  protected declared(_names: string[], _bases: Base[]): void {}
  /** The compiled source. */
  abstract result(): string;

  /** The functions' code emitted so far. */
  protected code(): string {
    return this.out.join('\n');
  }

  /** Where the code emitted so far ends; rollback() drops what was emitted after it. */
  protected checkpoint(): number {
    return this.out.length;
  }

  protected rollback(mark: number) {
    this.out.length = mark;
  }

  /** Statements of a block. */
  protected statements(list: Node[]) {
    for (const s of list) this.statement(s);
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
      this.globals.push(this.fileScopeDeclaration(m[1], s.startsWith('vi ')));
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
    this.declareTemp(t, base, expr);
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
    this.declared(b.names, componentBases(ty));
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
          this.emit(this.declaration(nm, ty.base, value, 'const'));
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
    this.functionBody(sig, params, fn);
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
      case 'if_statement':
        this.ifStatement(s);
        return;
      case 'for_statement':
        this.forStatement(s);
        return;
      case 'while_statement':
        this.whileStatement(s);
        return;
      case 'break_statement':
        this.breakStatement();
        return;
      case 'continue_statement':
        this.continueStatement();
        return;
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
      const bases = componentBases(ty);
      for (const [i, nm] of b.names.entries()) this.emit(this.declaration(nm, bases[i], values[i], 'let'));
    }
  }

  spillIfMany(v: Value): Value {
    return v.c.length > 1 ? this.spill(v) : v;
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
        return this.select(c, e);
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
        return { ty: v.ty, c: v.c.map((c) => this.logic.not(c)) };
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
    const { and, or } = this.logic;
    if (op === '&&' || op === '||') return { ty: BOOL, c: [`(${this.scalar(a)}${op === '&&' ? and : or}${this.scalar(b)})`] };
    if (op === '^^') return { ty: BOOL, c: [`(${this.scalar(a)} !== ${this.scalar(b)})`] };
    if (op === '==' || op === '!=') {
      const parts = a.c.map((x, i) => `${x} === ${b.c[i]}`);
      const all = `(${parts.join(and)})`;
      return { ty: BOOL, c: [op === '==' ? all : this.logic.not(all)] };
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
    const call = this.callExpression(sig, flat, bases);
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
      this.emit(this.sampleStatement(tex, uv.c[0], uv.c[1]));
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
        return { ty: BOOL, c: [`(${args[0].c.join(name === 'any' ? this.logic.or : this.logic.and)})`] };
      case 'not':
        arity(1);
        return { ty: args[0].ty, c: args[0].c.map((x) => this.logic.not(x)) };
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
}
