/**
 * The filtergraph under construction: numbered inputs, unique labels, chains in order. Every
 * module that adds to a render's graph (shots, transitions, effects) writes through this.
 */
export class Graph {
  readonly inputs: string[] = [];
  readonly chains: string[] = [];
  private inputCount = 0;
  private labelCount = 0;

  input(...args: string[]): number {
    this.inputs.push(...args);
    return this.inputCount++;
  }

  label(prefix: string): string {
    return `${prefix}${this.labelCount++}`;
  }

  chain(s: string) {
    this.chains.push(s);
  }
}

/** A number as a filter argument: at most four decimals, no exponent for the values a render uses. */
export const f = (x: number) => (Math.round(x * 10000) / 10000).toString();

/** A file path used inside the filtergraph; render work files are named so that no escaping is needed. */
export function graphPath(v: string): string {
  if (!/^[\w/.-]+$/.test(v)) throw new Error(`path unsafe for a filtergraph: ${v}`);
  return v;
}
