/**
 * The one seam between the render's graph and the ways a transition is drawn. The graph lays the
 * shots out frame by frame and asks each cut's host to join the two shots; a host either joins
 * the overlap frames inside the graph (FFmpeg's crossfade, the shaders' frei0r plugins) or brings
 * the cut's frames, drawn before the render, as an input of it (the shots then skip those frames).
 * Which host draws which cut is decided once per render (render/transitions/hosting.ts).
 */
import type { Graph } from '../filtergraph.js';

/** A cut whose two shots' overlap frames are in the graph: outgoing `from`, incoming `to`. */
export interface OverlapCut {
  /** The transition's index: the cut between shots[index] and shots[index + 1]. */
  index: number;
  from: string;
  to: string;
  /** Label the joined frames go to. */
  out: string;
  frames: number;
}

/** Joins overlap frames inside the render's graph; given all of its cuts at once, in the video's order. */
export interface OverlapHost {
  kind: 'overlap';
  join(g: Graph, cuts: OverlapCut[]): void;
}

/** Brings a cut's frames, drawn before the render, into the graph; returns their label. */
export interface FramesHost {
  kind: 'frames';
  frames(g: Graph, cut: { index: number; frames: number }): string;
}

export type TransitionHost = OverlapHost | FramesHost;

/** How a render's transitions are drawn: each cut's host, and what FFmpeg needs for them. */
export interface TransitionHosting {
  hostOf(index: number): TransitionHost;
  /** Environment of the render's FFmpeg (the frei0r plugins' folder). */
  env?: Record<string, string>;
}
