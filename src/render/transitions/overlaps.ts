/**
 * Several overlaps of a render joined by one chain (`join`: the outgoing stream and the incoming
 * one in, the joined frames out) instead of one chain each: each chain holds its FFmpeg frame
 * buffers for the whole render, ≈ 50 MB at 1080x1920 for a shader's (RGBA conversion, plugin,
 * unpacking), ≈ 8 MB for a crossfade's (alpha planes), and fresh memory is costly (the kernel
 * clears every page). The chain gets the overlaps' frames one after the other (concat), each
 * overlap followed by one separator frame (a clone of its last, joined but not used), and its output
 * is cut back into the overlaps (split, trim). The separator keeps FFmpeg from reading ahead: a trim
 * knows its overlap has ended only when it sees the next frame, and stacking or overlaying looks one
 * frame ahead; without the separator that frame would be the next overlap's, whose shots are far
 * ahead in the video (FFmpeg would decode and hold everything in between; `segment` instead of split
 * and trim does that too). Cuts must come in the video's order. `join` gets each cut's first frame
 * in the joined stream.
 */
import type { Graph } from '../filtergraph.js';
import type { OverlapCut } from './host.js';

export function sharedOverlaps(
  g: Graph,
  cuts: OverlapCut[],
  join: (outgoing: string, incoming: string, out: string, starts: number[]) => void,
): void {
  const side = (key: 'from' | 'to') => {
    const ends = cuts.map((c) => {
      const end = g.label('sep');
      g.chain(`[${c[key]}]tpad=stop=1:stop_mode=clone[${end}]`);
      return end;
    });
    const all = g.label(key);
    g.chain(`${ends.map((p) => `[${p}]`).join('')}concat=n=${ends.length}:v=1:a=0[${all}]`);
    return all;
  };
  const [outgoing, incoming] = [side('from'), side('to')];
  const starts = cuts.map((_, k) => cuts.slice(0, k).reduce((n, c) => n + c.frames + 1, 0));
  const joined = g.label('joined');
  join(outgoing, incoming, joined, starts);
  const parts = cuts.map(() => g.label('part'));
  g.chain(`[${joined}]split=${cuts.length}${parts.map((p) => `[${p}]`).join('')}`);
  cuts.forEach((c, k) => {
    g.chain(`[${parts[k]}]trim=start_frame=${starts[k]}:end_frame=${starts[k] + c.frames},setpts=PTS-STARTPTS[${c.out}]`);
  });
}
