/**
 * How fast this machine renders, for estimates before rendering (the console's preview): seconds
 * of render per second of output per megapixel, a moving average of the renders this process made,
 * or — before any — the reference figure of the bench on the 2-core machine the project is measured
 * on (the reference job: 1080x1920, 27.5 s of output, 18.6 s of render: 0.33 s per s·MP).
 */
const REFERENCE = 0.33;
let measured: number | undefined;

/** Records a render: `seconds` taken for `outputSeconds` of output at width x height. */
export function recordRender(seconds: number, outputSeconds: number, width: number, height: number): void {
  const mp = (width * height) / 1e6;
  if (!(outputSeconds > 0) || !(mp > 0) || !(seconds > 0)) return;
  const rate = seconds / outputSeconds / mp;
  measured = measured === undefined ? rate : measured * 0.8 + rate * 0.2;
}

/** This process's measured rate (seconds per output-second per megapixel), if it rendered anything. */
export const measuredRate = () => measured;

/**
 * Render seconds for outputs of these sizes, at `parallel` renders at once, at `rate` (the workers'
 * measured rate) or this process's own, else the reference.
 */
export function estimateRender(
  outputs: { duration: number; width: number; height: number }[],
  parallel = 1,
  rate?: number,
): {
  seconds: number;
  basis: 'measured' | 'reference';
} {
  const r = rate ?? measured ?? REFERENCE;
  const total = outputs.reduce((sum, o) => sum + o.duration * ((o.width * o.height) / 1e6) * r, 0);
  return {
    seconds: total / Math.max(1, parallel),
    basis: rate !== undefined || measured !== undefined ? 'measured' : 'reference',
  };
}
