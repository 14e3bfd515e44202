/**
 * The JavaScript target: the JS kernel's shader (shaders/kernel.ts), the fallback without a C
 * compiler. Computes in float64.
 */
import { ScalarLowering } from './scalar.js';
import type { FnSig } from './types.js';

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

export class JsTarget extends ScalarLowering {
  protected fileScopeDeclaration(name: string): string {
    return `let ${name} = 0;`;
  }

  protected functionHeader(sig: FnSig, params: string[]): string {
    return `function ${sig.js}(${params.join(', ')}) {`;
  }

  protected continueTo(label: string): string {
    return `break ${label};`;
  }

  protected labelledBlock(label: string): [string, string] {
    return [`${label}: {`, '}'];
  }

  result(): string {
    return [...this.globals, this.code(), 'function init_globals() {', ...this.init, '}'].join('\n');
  }
}
