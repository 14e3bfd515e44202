/**
 * The C target (the scalar native build, src/shaders/c/scalar.h): every GLSL value is a `real`
 * (float32, as GLSL's highp). The lowered code maps to C textually at the end.
 */
import { ScalarLowering } from './scalar.js';
import type { FnSig } from './types.js';

/** Floating literals are GLSL floats: typed as `real` so that float32 builds stay float32. */
const FLOAT_LITERAL = /(?<![\w$.])(\d+\.\d*(?:e[+-]?\d+)?|\d+e[+-]?\d+)(?![\w.])/gi;

/** The lowered code's JavaScript operators and literals as C: equality, the booleans given, float literals. */
export const cOperators = (code: string, bools: { true: string; false: string }) =>
  code
    .replace(/===/g, '==')
    .replace(/!==/g, '!=')
    .replace(/\btrue\b/g, bools.true)
    .replace(/\bfalse\b/g, bools.false)
    .replace(FLOAT_LITERAL, '(real)$1');

const toC = (code: string) =>
  cOperators(
    code
      .replace(/\bMath\.abs\(/g, 'fabs(')
      .replace(/\bMath\.(sin|cos|atan2|atan)\(/g, 'gl_$1(')
      .replace(/\bMath\./g, ''),
    { true: '1', false: '0' },
  );

export class CTarget extends ScalarLowering {
  protected fileScopeDeclaration(name: string): string {
    return `static real ${name};`;
  }

  protected functionHeader(sig: FnSig, params: string[]): string {
    const cParams = params.length > 0 ? params.map((p) => `real ${p}`).join(', ') : 'void';
    return `static ${sig.ret.n === 1 ? 'real' : 'void'} ${sig.js}(${cParams}) {`;
  }

  protected continueTo(label: string): string {
    return `goto ${label};`;
  }

  protected labelledBlock(label: string): [string, string] {
    return ['{', `} ${label}:;`];
  }

  result(): string {
    const c = toC(this.code()).replace(/^(\s*)(?:const|let) /gm, '$1real ');
    return [...this.globals, c, 'static void init_globals(void) {', ...this.init.map(toC), '}'].join('\n');
  }
}
