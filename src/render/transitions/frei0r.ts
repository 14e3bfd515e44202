/**
 * Shader transitions drawn inside the render pass by their frei0r plugins (shaders/native.ts),
 * loaded by FFmpeg's own `frei0r` filter: the two shots' overlap frames, stacked, go through the
 * plugin. A video's shader transitions all go through one chain: the mux plugin (shaders/mux.ts)
 * hands each transition to its shader's plugin by a schedule (see overlaps.ts). Shaders that only
 * weigh the two frames (shaders/weights.ts) go through a chain of their own, where their plugins
 * draw weights only and FFmpeg blends the frames by them.
 */
import type { Timeline } from '../../planner/timeline.js';
import { frei0rPlugin } from '../../shaders/draw.js';
import { frei0rMux } from '../../shaders/mux.js';
import { weighsOnly } from '../../shaders/weights.js';
import { capabilities } from '../capabilities.js';
import type { Graph } from '../filtergraph.js';
import type { RenderSettings } from '../settings.js';
import type { OverlapCut, OverlapHost } from './host.js';
import { sharedOverlaps } from './overlaps.js';

/**
 * A shader transition drawn in the graph by its frei0r plugin: the outgoing frame over the
 * incoming one, as RGBA (frei0r knows no row stride and FFmpeg's frame pool aligns rows to 64
 * pixels: pictures are padded to that width). The plugin draws frame k of N and returns it as
 * YCbCr packed in the RGBA channels (Y in the R of the top half; Cb and Cr of the 2x2 blocks in R
 * and G of the bottom half's top-left quarter), which FFmpeg takes apart and merges into yuv420p:
 * the RGB to YUV conversion is the plugin's (vectorised), not swscale's.
 */
export function frei0rTransition(
  g: Graph,
  from: string,
  to: string,
  out: string,
  o: { plugin: string; frames: number; width: number; height: number },
): void {
  const pair = g.label('pair');
  g.chain(`[${from}][${to}]vstack=inputs=2[${pair}]`);
  frei0rDraw(g, pair, out, { plugin: o.plugin, params: String(o.frames), width: o.width, height: o.height });
}

/** Stacked pairs in, drawn yuv420p frames out; `params`: the plugin's first parameter. */
function frei0rDraw(g: Graph, pairs: string, out: string, o: { plugin: string; params: string; width: number; height: number }): void {
  const { width: W, height: H } = o;
  const [dy, dc, y, u, v] = ['dy', 'dc', 'y', 'u', 'v'].map((x) => g.label(x));
  const padded = Math.ceil(W / 64) * 64;
  const pad = padded > W ? `pad=${padded}:ih,` : '';
  g.chain(`[${pairs}]${pad}format=rgba,frei0r=filter_name=${o.plugin}:filter_params=${o.params}|${W}|1,split[${dy}][${dc}]`);
  g.chain(`[${dy}]crop=${W}:${H}:0:0,extractplanes=r[${y}]`);
  g.chain(`[${dc}]crop=${W / 2}:${H / 2}:0:${H},extractplanes=r+g[${u}][${v}]`);
  g.chain(`[${y}][${u}][${v}]mergeplanes=0x001020:yuv420p,setsar=1[${out}]`);
}

/** A shader transition of the render, with its shader's frei0r plugin. */
export interface ShaderCut extends OverlapCut {
  plugin: string;
}

/**
 * The shader transitions of a render, all drawn by one chain through the transition mux plugin,
 * which hands each transition to its shader's plugin (see sharedOverlaps). Without the mux (a
 * single cut, or tests), a chain each.
 */
export function frei0rTransitions(g: Graph, cuts: ShaderCut[], o: { width: number; height: number; mux?: string }): void {
  if (cuts.length < 2 || !o.mux) {
    for (const c of cuts)
      frei0rTransition(g, c.from, c.to, c.out, { plugin: c.plugin, frames: c.frames, width: o.width, height: o.height });
    return;
  }
  const mux = o.mux;
  sharedOverlaps(g, cuts, (outgoing, incoming, out) => {
    const stacked = g.label('pairs');
    g.chain(`[${outgoing}][${incoming}]vstack=inputs=2[${stacked}]`);
    const schedule = cuts.map((c) => `${c.plugin}/${c.frames}`).join('+');
    frei0rDraw(g, stacked, out, { plugin: mux, params: schedule, width: o.width, height: o.height });
  });
}

/**
 * Shader transitions that only weigh the two frames (shaders/weights.ts), all in one chain: the
 * weights mux (a frei0r source, shaders/mux.ts) draws each cut's weights in turn by its shader's
 * weights plugin, and the incoming frames are laid over the outgoing ones with the weights as their
 * alpha, in YUV — FFmpeg's crossfade with a picture for its fade. Exact where a weight is 0 or 1
 * (the frames' own pixels); chroma takes the mean weight of its 2x2 block. Per 1080x1920 frame this
 * is about a quarter of the RGBA chain's work (both frames converted to RGBA and stacked, the
 * shader reading both, its output packed back to YUV), and its frames are a quarter of the size.
 */
export function frei0rWeightedTransitions(
  g: Graph,
  cuts: ShaderCut[],
  o: { width: number; height: number; fps: number; mux: string },
): void {
  const { width: W, height: H, fps } = o;
  // frei0r knows no row stride: the weights' rows are padded to FFmpeg's alignment (see frei0rDraw).
  const padded = Math.ceil(W / 64) * 64;
  // The weights come packed four rows to a texel (R: the first quarter of the rows, G the second…;
  // c/frei0r-host.c): a quarter of the RGBA frame, taken apart into four planes and stacked.
  const quarter = Math.ceil(H / 4);
  sharedOverlaps(g, cuts, (outgoing, incoming, out) => {
    const total = cuts.reduce((n, c) => n + c.frames + 1, 0);
    const schedule = cuts.map((c) => `${c.plugin}/${c.frames}`).join('+');
    const [weights, from, to, alpha] = ['weights', 'from', 'to', 'alpha'].map((x) => g.label(x));
    const rows = [0, 1, 2, 3].map(() => g.label('rows'));
    // The three streams' frames counted afresh: the blends pair frames by time, and the joined
    // streams' times are not regular (concat after tpad; see crossfade.ts).
    const count = `settb=1/${fps},setpts=N`;
    g.chain(
      `frei0r_src=size=${padded}x${quarter}:framerate=${fps}:filter_name=${o.mux}:filter_params=${schedule}|${W}|${H},trim=end_frame=${total},crop=${W}:${quarter}:0:0,extractplanes=r+g+b+a${rows.map((r) => `[${r}]`).join('')}`,
    );
    g.chain(`${rows.map((r) => `[${r}]`).join('')}vstack=inputs=4,crop=${W}:${H}:0:0,${count}[${weights}]`);
    g.chain(`[${outgoing}]${count}[${from}]`);
    g.chain(`[${incoming}]format=yuva420p,${count}[${to}]`);
    g.chain(`[${to}][${weights}]alphamerge[${alpha}]`);
    g.chain(`[${from}][${alpha}]overlay=format=yuv420,format=yuv420p,setsar=1[${out}]`);
  });
}

/**
 * The frei0r hosts of a render's shader transitions (cut index → host), when the installed FFmpeg
 * has the frei0r filter and every plugin builds (with a C compiler); undefined otherwise. Cuts
 * whose shader only weighs the frames get the weights host when FFmpeg has frei0r_src and their
 * weights plugins build; the others the RGBA host.
 */
export async function frei0rHosting(
  t: Timeline,
  shaderCuts: Timeline['transitions'],
  o: { cacheDir: string; settings: RenderSettings },
): Promise<{ hosts: Map<number, OverlapHost>; env: Record<string, string> } | undefined> {
  const { filters } = await capabilities();
  if (!filters.has('frei0r')) return undefined;
  const shaderOf = (x: Timeline['transitions'][number]) => {
    if (x.drawnAs.by !== 'shader') throw new Error(`transition ${x.index} is not drawn by a shader`);
    return x.drawnAs;
  };
  const hosts = new Map<number, OverlapHost>();
  let dir: string | undefined;
  // One host for `cuts`, whose plugins are `names`, joining its cuts by `join`.
  const host = (cuts: Timeline['transitions'], names: string[], join: (g: Graph, cuts: ShaderCut[]) => void) => {
    const plugins = new Map(cuts.map((x, k) => [x.index, names[k]]));
    const h: OverlapHost = {
      kind: 'overlap',
      join: (g, cs) =>
        join(
          g,
          cs.map((c) => ({ ...c, plugin: plugins.get(c.index)! })),
        ),
    };
    for (const x of cuts) hosts.set(x.index, h);
  };
  // Weights first: the cuts that do not get them are drawn by the RGBA chain.
  const ratio = t.width / t.height;
  const weighed = o.settings.shaderWeights && filters.has('frei0r_src') ? shaderCuts.filter((x) => weighsOnly(shaderOf(x), ratio)) : [];
  if (weighed.length > 0) {
    const [mux, ...built] = await Promise.all([
      frei0rMux(o.cacheDir, true).catch(() => undefined),
      ...weighed.map((x) => frei0rPlugin(shaderOf(x), o.cacheDir, o.settings.shaderBuild, true)),
    ]);
    if (mux && built.every((p) => p)) {
      host(
        weighed,
        built.map((p) => p!.name),
        (g, cuts) => frei0rWeightedTransitions(g, cuts, { width: t.width, height: t.height, fps: t.fps, mux: mux.name }),
      );
      dir = mux.dir;
    }
  }
  const drawn = shaderCuts.filter((x) => !hosts.has(x.index));
  if (drawn.length > 0) {
    const built = await Promise.all(drawn.map((x) => frei0rPlugin(shaderOf(x), o.cacheDir, o.settings.shaderBuild)));
    if (built.some((p) => !p)) return undefined;
    // Several transitions: one chain draws them all, through the mux (a chain each without it).
    const mux =
      drawn.length > 1
        ? await frei0rMux(o.cacheDir).catch((err: Error) => {
            process.emitWarning(`transition mux: build failed, a chain per transition (${err.message.split('\n')[0]})`);
            return undefined;
          })
        : undefined;
    host(
      drawn,
      built.map((p) => p!.name),
      (g, cuts) => frei0rTransitions(g, cuts, { width: t.width, height: t.height, mux: mux?.name }),
    );
    dir = built[0]!.dir;
  }
  // One cache folder: every plugin lies in the same directory.
  return { hosts, env: { FREI0R_PATH: dir! } };
}
