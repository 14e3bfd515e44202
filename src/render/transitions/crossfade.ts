/**
 * FFmpeg's crossfades (`fade`, and transitions without a shader): the incoming frames fade in
 * (alpha) over the outgoing ones, frame k of N at k/N: three times cheaper than xfade's float blend
 * in FFmpeg 5.1, and the same as the shader's mix(from, to, progress) up to rounding. Two or more
 * share one chain (see overlaps.ts), each cut's fade enabled on its own frames only. Fades count
 * frames, not time: the joined stream's timestamps are not regular (concat after tpad).
 */
import type { Graph } from '../filtergraph.js';
import type { OverlapCut, OverlapHost } from './host.js';
import { sharedOverlaps } from './overlaps.js';

export function crossfades(g: Graph, cuts: OverlapCut[]): void {
  if (cuts.length === 0) return;
  const fadeIn = (incoming: string, out: string, fades: string) => g.chain(`[${incoming}]format=yuva420p,${fades}[${out}]`);
  const over = (outgoing: string, alpha: string, out: string) =>
    g.chain(`[${outgoing}][${alpha}]overlay=format=yuv420,format=yuv420p[${out}]`);
  if (cuts.length === 1) {
    const [c] = cuts;
    const a = g.label('alpha');
    fadeIn(c.to, a, `fade=t=in:n=${c.frames}:alpha=1`);
    over(c.from, a, c.out);
    return;
  }
  sharedOverlaps(g, cuts, (outgoing, incoming, out, starts) => {
    const a = g.label('alpha');
    const fades = cuts.map(
      (c, k) => `fade=t=in:s=${starts[k]}:n=${c.frames}:alpha=1:enable='between(n,${starts[k]},${starts[k] + c.frames - 1})'`,
    );
    fadeIn(incoming, a, fades.join(','));
    over(outgoing, a, out);
  });
}

export const crossfadeHost: OverlapHost = { kind: 'overlap', join: crossfades };
