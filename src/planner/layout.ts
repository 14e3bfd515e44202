/**
 * Lays pieces out on the timeline. Pieces meet at cut points; a transition of length t centred on
 * a cut makes both neighbours t/2 longer, so that the cut points (and therefore the voice-over
 * alignment) do not move and the video track still covers the whole timeline.
 */
import type { ShotCandidate } from './shots.js';
import type { Shot } from './timeline.js';

export interface Piece {
  cand: ShotCandidate;
  /** Timeline length between its cut points. */
  seg: number;
  volume: number;
}

/** Clamps transition lengths so that no two overlaps touch: each is at most half its neighbours. */
export function clampTransitions(segs: number[], wanted: number[]): number[] {
  return wanted.map((t, i) => Math.max(0, Math.min(t, segs[i] / 2, segs[i + 1] / 2)));
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function layoutShots(pieces: Piece[], transitions: number[], speed: number): Shot[] {
  let cut = 0;
  return pieces.map((p, i) => {
    const tin = i > 0 ? transitions[i - 1] : 0;
    const tout = i < pieces.length - 1 ? transitions[i] : 0;
    const start = cut - tin / 2;
    const duration = p.seg + tin / 2 + tout / 2;
    cut += p.seg;
    const c = p.cand;
    if (c.material.kind === 'image') {
      return {
        material: c.material,
        group: c.group,
        key: c.key,
        start: round(start),
        duration: round(duration),
        sourceIn: 0,
        sourceOut: 0,
        speed: 1,
        volume: 0,
      };
    }
    let s = speed;
    let need = duration * s;
    let sin: number;
    let sout: number;
    if (c.in + need <= c.windowOut) {
      sin = c.in;
      sout = c.in + need;
    } else if (c.windowOut - need >= c.windowIn) {
      sin = c.windowOut - need;
      sout = c.windowOut;
    } else {
      // Not enough footage: play the whole window slower.
      sin = c.windowIn;
      sout = c.windowOut;
      need = sout - sin;
      s = need / duration;
    }
    return {
      material: c.material,
      group: c.group,
      key: c.key,
      start: round(start),
      duration: round(duration),
      sourceIn: round(sin),
      sourceOut: round(sout),
      speed: Math.round(s * 10000) / 10000,
      volume: c.hasAudio ? p.volume : 0,
    };
  });
}
