/**
 * Statements of the scalar targets (JavaScript and C): one pixel at a time, so GLSL's control flow
 * maps onto the target's own; a `for` body sits in a labelled block so that `continue` (leaving
 * the block) still runs the loop's step. js.ts and c.ts say the rest.
 */
import { Lowering } from './lowering.js';
import type { Base, FnSig, Node, Ty, Value } from './types.js';

export abstract class ScalarLowering extends Lowering {
  /** Labels of the enclosing loops' bodies (undefined for while loops, where `continue` is native). */
  private loops: (string | undefined)[] = [];

  /** The function's header line (its parameters' component names given). */
  protected abstract functionHeader(sig: FnSig, params: string[]): string;
  /** `continue` of a for loop: leave the body block named `label`. */
  protected abstract continueTo(label: string): string;
  /** The lines opening and closing a labelled body block. */
  protected abstract labelledBlock(label: string): [string, string];

  protected readonly logic = { and: ' && ', or: ' || ', not: (x: string) => `(!${x})` };

  protected declareTemp(name: string, _base: Base, expr: string): void {
    this.emit(`const ${name} = ${expr};`);
  }

  protected declaration(name: string, _base: Base, expr: string, kind: 'const' | 'let'): string {
    return `${kind} ${name} = ${expr};`;
  }

  assign(name: string, expr: string): void {
    this.emit(`${name} = ${expr};`);
  }

  protected functionBody(sig: FnSig, params: { name: string; ty: Ty }[], fn: Node): void {
    const names = params.flatMap((p) => this.declare(p.name, p.ty).names);
    this.inFunction = true;
    this.emit(this.functionHeader(sig, names));
    const saveIndent = this.indent;
    this.indent += '  ';
    this.currentReturn = sig.ret;
    for (const s of fn.body.statements) this.statement(s);
    this.indent = saveIndent;
    this.emit('}');
    this.inFunction = false;
  }

  protected ifStatement(s: Node): void {
    const c = this.scalar(this.expr(s.condition));
    this.emit(`if (${c}) {`);
    this.body(s.body);
    if (s.else && s.else.length > 0) {
      const e = s.else[s.else.length - 1];
      this.emit('} else {');
      this.body(e);
    }
    this.emit('}');
  }

  protected whileStatement(s: Node): void {
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
  }

  protected breakStatement(): void {
    this.emit('break;');
  }

  protected continueStatement(): void {
    const label = this.loops[this.loops.length - 1];
    this.emit(label ? this.continueTo(label) : 'continue;');
  }

  protected returnStatement(s: Node): void {
    const ty = this.currentReturn;
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

  protected forStatement(s: Node): void {
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
    const [open, close] = this.labelledBlock(label);
    this.emit(open);
    this.loops.push(label);
    this.body(s.body);
    this.loops.pop();
    this.emit(close);
    if (s.operation) this.expr(s.operation);
    this.indent = `${saveIndent}  `;
    this.emit('}');
    this.indent = saveIndent;
    this.emit('}');
    this.scopes.pop();
  }

  protected select(c: string, e: Node): Value {
    const a = this.expr(e.left);
    const b = this.coerce(this.expr(e.right), a.ty, e);
    return { ty: a.ty, c: a.c.map((x, i) => `(${c} ? ${x} : ${b.c[i]})`) };
  }

  protected callExpression(sig: FnSig, args: string[]): string {
    return `${sig.js}(${args.join(', ')})`;
  }

  protected sampleStatement(tex: string, u: string, v: string): string {
    return `sample(${tex}, ${u}, ${v});`;
  }
}
