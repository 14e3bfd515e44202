/**
 * Decides, once per render, which host draws each transition: FFmpeg's crossfade for the
 * crossfades; for the shaders, their frei0r plugins inside the render when the installed FFmpeg
 * has the frei0r filter and a C compiler builds them, else their frames drawn before the render
 * (native programs, or the JS engine without a C compiler).
 */
import type { Timeline } from '../../planner/timeline.js';
import { crossfadeHost } from './crossfade.js';
import { frei0rHosting } from './frei0r.js';
import type { TransitionHost, TransitionHosting } from './host.js';
import { drawShaderTransitions, type PredrawOptions, predrawnHost } from './predrawn.js';

/** Every cut a crossfade (a render without shaders, and graphs that draw no transition). */
export const CROSSFADES_ONLY: TransitionHosting = { hostOf: () => crossfadeHost };

export async function prepareTransitions(t: Timeline, o: PredrawOptions): Promise<TransitionHosting> {
  const shaderCuts = t.transitions.filter((x) => x.drawnAs.by === 'shader');
  if (shaderCuts.length === 0) return CROSSFADES_ONLY;
  const frei0r = o.settings.shaders === 'auto' ? await frei0rHosting(t, shaderCuts, o) : undefined;
  if (frei0r) return { hostOf: (i) => frei0r.hosts.get(i) ?? crossfadeHost, env: frei0r.env };
  const shaders: TransitionHost = predrawnHost(t, await drawShaderTransitions(t, shaderCuts, o));
  const byShader = new Set(shaderCuts.map((x) => x.index));
  return { hostOf: (i) => (byShader.has(i) ? shaders : crossfadeHost) };
}
