/**
 * The vector C target (the vector native build, src/shaders/c/vector.h): every value holds one
 * lane per pixel of a run of pixels (`vf`, booleans as lane masks `vi`). if/else and loops run
 * under lane masks (a branch without lanes is skipped); return, break and continue clear lanes
 * (see MaskLevel). It computes exactly what the C target does, lane by lane.
 *
 * Uniform values: a value computed from constants, the uniforms and progress alone is the same in
 * every lane. An if or a loop whose condition is uniform runs as plain C (all running lanes take
 * the same way: no mask, no per-lane selects of the variables it assigns, no test for live lanes
 * each iteration). A variable is uniform while every assignment gives it a uniform value under
 * the mask it was declared under; compileTransition compiles again with the variables that turned
 * out not to be (`varying`) until none does.
 */
import { cOperators } from './c.js';
import { Lowering } from './lowering.js';
import { type Base, componentBases, type FnSig, type Node, type Ty, type Value } from './types.js';

/**
 * A lane mask: the lanes (pixels) that run the current code. Each if-branch, loop and loop
 * iteration has its own; return, break and continue clear lanes from every mask up to the
 * function's, the loop's or the iteration's.
 */
interface MaskLevel {
  mask: string;
  kind: 'fn' | 'if' | 'loop' | 'iter';
}

/** Whether statements hold a break, continue or return (of their own loops' or not: kept simple). */
function jumps(node: Node): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(jumps);
  if (node.type === 'break_statement' || node.type === 'continue_statement' || node.type === 'return_statement') return true;
  return Object.entries(node).some(([k, v]) => k !== 'location' && typeof v === 'object' && jumps(v));
}

/** The helpers and math functions are the V_ versions of c/vector.h. */
const toV = (code: string) =>
  cOperators(
    code.replace(/\bMath\.(\w+)\(/g, 'V_$1(').replace(/(?<![\w$])(fract|mod|clamp|step|mix|smoothstep|sign|min|max|pow)\(/g, 'V_$1('),
    { true: 'VTRUE', false: 'VFALSE' },
  );

export class VectorTarget extends Lowering {
  /** C name → base type and the mask level it was declared under (null: file scope). */
  private vars = new Map<string, { base: Base; level: string | null }>();
  private levels: MaskLevel[] = [];
  /** Lanes cleared so far (return/break/continue statements compiled). */
  private kills = 0;
  /** Names of the current function's return value components. */
  private retNames: string[] = [];
  /** this.kills when the current function started. */
  private fnKills = 0;

  protected readonly logic = { and: ' & ', or: ' | ', not: (x: string) => `(~${x})` };

  /** Names whose value is the same in every lane (uniform). */
  private uniform = new Set<string>(['progress', 'ratio']);
  /** Variables found assigned a per-lane value (or under a narrower mask) in this compilation. */
  readonly foundVarying = new Set<string>();

  /** `varying`: variables known (from an earlier compilation) not to be uniform. */
  constructor(
    uniformValues: Map<string, number | boolean | number[]>,
    private readonly varying: ReadonlySet<string> = new Set(),
  ) {
    super(uniformValues);
  }

  /**
   * Whether an expression of the lowered dialect is the same in every lane: literals, uniform
   * names and built-in functions of them (not user functions, which run under masks, nor R, which
   * holds texture reads and results).
   */
  private isUniform(expr: string): boolean {
    for (const m of expr.matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*/g)) {
      const name = m[0];
      const next = expr[m.index + name.length];
      if (next === '(') {
        if (name.startsWith('f$')) return false;
        continue;
      }
      if (name === 'Math' && next === '.') continue;
      if (name === 'true' || name === 'false') continue;
      if (!this.uniform.has(name)) return false;
    }
    return true;
  }

  private mask(): string {
    return this.levels.length > 0 ? this.levels[this.levels.length - 1].mask : 'VTRUE';
  }

  /** A declaration: every value is a vector of lanes (vi for booleans). */
  private vdecl(name: string, base: Base, expr: string): string {
    return base === 'bool' ? `vi ${name} = ${expr};` : `vf ${name} = BF(${expr});`;
  }

  protected declared(names: string[], bases: Base[]): void {
    for (const [i, nm] of names.entries()) this.vars.set(nm, { base: bases[i], level: this.inFunction ? this.mask() : null });
  }

  protected fileScopeDeclaration(name: string, bool: boolean): string {
    return `static ${bool ? 'vi' : 'vf'} ${name};`;
  }

  protected declareTemp(name: string, base: Base, expr: string): void {
    this.vars.set(name, { base, level: this.inFunction ? this.mask() : null });
    if (this.isUniform(expr)) this.uniform.add(name);
    this.emit(this.vdecl(name, base, expr));
  }

  protected declaration(name: string, base: Base, expr: string, kind: 'const' | 'let'): string {
    // Uniforms' values; variables, unless an earlier compilation found them varying.
    if ((kind === 'const' || !this.varying.has(name)) && this.isUniform(expr)) this.uniform.add(name);
    return this.vdecl(name, base, expr);
  }

  /** Assigns a variable: only the running lanes, unless it was declared under this very mask. */
  assign(name: string, expr: string): void {
    const info = this.vars.get(name);
    const bool = info?.base === 'bool';
    if (this.uniform.has(name) && !(this.isUniform(expr) && this.inFunction && info?.level === this.mask())) {
      this.uniform.delete(name);
      this.foundVarying.add(name);
    }
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

  /** Statements of a block: the rest of a block is skipped once no lane runs it. */
  protected statements(list: Node[]) {
    let open = 0;
    for (const [i, s] of list.entries()) {
      const before = this.kills;
      this.statement(s);
      if (this.kills > before && i < list.length - 1) {
        this.emit(`if (anyLane(${this.mask()})) {`);
        open++;
      }
    }
    for (; open > 0; open--) this.emit('}');
  }

  /** Components converted to the base type of `to`. */
  convert(c: string, from: Base, to: Base): string {
    if (from === to) return c;
    if (to === 'bool') return `(${c} != 0)`;
    if (from === 'bool') return `B2F(${c})`;
    if (to === 'int') return `V_trunc(${c})`;
    return c;
  }

  /**
   * A function: `f(vi mask, vf params...)`; return statements set the running lanes of the return
   * value (components rv$i), which is returned (one component) or written to R at the end.
   */
  protected functionBody(sig: FnSig, params: { name: string; ty: Ty }[], fn: Node): void {
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
  }

  protected returnStatement(s: Node): void {
    const ty = this.currentReturn;
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
  }

  /** if/else: each branch runs under its lanes, and only when it has some. */
  protected ifStatement(s: Node): void {
    const c = this.tmp(this.scalar(this.expr(s.condition)), 'bool');
    if (this.isUniform(c)) {
      // Every running lane takes the same branch: plain C, under the same mask.
      this.emit(`if (lane0(${c})) {`);
      this.body(s.body);
      if (s.else && s.else.length > 0) {
        this.emit('} else {');
        this.body(s.else[s.else.length - 1]);
      }
      this.emit('}');
      return;
    }
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

  protected whileStatement(s: Node): void {
    this.loop(s, undefined, s.condition, undefined);
  }

  protected forStatement(s: Node): void {
    this.loop(s, s.init, s.condition, s.operation);
  }

  protected breakStatement(): void {
    this.kill('loop');
  }

  protected continueStatement(): void {
    this.kill('iter');
  }

  /**
   * Loops: lanes leave the loop when its condition fails for them or they break; the loop ends
   * when no lane is left. `continue` clears lanes from the iteration's mask.
   */
  private loop(s: Node, init: Node | undefined, condition: Node | undefined, operation: Node | undefined) {
    this.scopes.push(new Map());
    this.emit('{');
    const saveIndent = this.indent;
    this.indent += '  ';
    if (init) {
      if (init.type === 'declarator_list') this.localDeclaration(init);
      else if (init.type === 'declaration_statement') this.localDeclaration(init.declaration);
      else this.expr(init.expression ?? init);
    }
    // A loop that no lane leaves early (no break, continue or return) and whose condition turns
    // out uniform runs as plain C under the same mask (a later compilation knows if the body makes
    // the condition vary); any other under masks of its own.
    let plain = !jumps(s.body);
    const mark = this.checkpoint();
    let live = '';
    let c: string | undefined;
    for (;;) {
      if (!plain) live = this.pushMask(this.mask(), 'loop');
      this.emit('for (;;) {');
      this.indent += '  ';
      c = condition ? this.tmp(this.scalar(this.expr(condition)), 'bool') : undefined;
      if (!plain || c === undefined || this.isUniform(c)) break;
      // The condition varies per lane: emitted again, under masks.
      this.rollback(mark);
      this.indent = `${saveIndent}  `;
      plain = false;
    }
    if (plain) {
      if (c) this.emit(`if (!lane0(${c})) break;`);
    } else {
      if (c) this.emit(`${live} &= ${c};`);
      this.emit(`if (!anyLane(${live})) break;`);
      this.pushMask(live, 'iter');
    }
    this.emit('{');
    this.body(s.body);
    this.emit('}');
    if (!plain) this.levels.pop();
    if (operation) this.expr(operation);
    this.indent = `${saveIndent}  `;
    this.emit('}');
    if (!plain) this.levels.pop();
    this.indent = saveIndent;
    this.emit('}');
    this.scopes.pop();
  }

  /** Both sides are computed (under their own lanes, for texture reads) and selected per lane. */
  protected select(c: string, e: Node): Value {
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

  protected callExpression(sig: FnSig, args: string[], bases: Base[]): string {
    return `${sig.js}(${[this.mask(), ...args.map((c, i) => (bases[i] === 'bool' ? c : `BF(${c})`))].join(', ')})`;
  }

  protected sampleStatement(tex: string, u: string, v: string): string {
    return `sample(${this.mask()}, ${tex}, BF(${u}), BF(${v}));`;
  }

  result(): string {
    return [...this.globals, toV(this.code()), 'static void init_globals(void) {', ...this.init.map(toV), '}'].join('\n');
  }
}
