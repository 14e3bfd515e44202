/**
 * FFmpeg filter snippets for the visual effects of effects/vfx.ts. Each takes a W×H yuv420p stream
 * of `duration` seconds whose time starts at 0 and returns a stream of the same size and length.
 */
import { f, type Graph } from './filtergraph.js';

export interface VfxContext {
  W: number;
  H: number;
  fps: number;
  duration: number;
}

/** A black (or white) clip of `d` seconds, for effects that open from or close to a colour. */
function solid(g: Graph, c: VfxContext, d: number, color = 'black'): string {
  const l = g.label('solid');
  g.chain(`color=c=${color}:s=${c.W}x${c.H}:r=${c.fps}:d=${f(d)},format=yuv420p,setsar=1[${l}]`);
  return l;
}

function fromSolid(g: Graph, c: VfxContext, src: string, transition: string, e: number): string {
  const k = solid(g, c, e);
  const out = g.label('vfx');
  g.chain(`[${k}][${src}]xfade=transition=${transition}:duration=${f(e)}:offset=0[${out}]`);
  return out;
}

function toSolid(g: Graph, c: VfxContext, src: string, transition: string, e: number): string {
  // The solid outlasts the shot (FFmpeg 5.1's xfade stalls when both inputs end with the
  // transition); the trim ends the result at the shot's end.
  const k = solid(g, c, e + 1);
  const out = g.label('vfx');
  g.chain(
    `[${src}][${k}]xfade=transition=${transition}:duration=${f(e)}:offset=${f(c.duration - e)},trim=duration=${f(c.duration)}[${out}]`,
  );
  return out;
}

function simple(g: Graph, src: string, filters: string): string {
  const out = g.label('vfx');
  g.chain(`[${src}]${filters}[${out}]`);
  return out;
}

/** Blurred copy crossfading with the sharp one: `blurredAt` 'start' | 'end'. */
function focus(g: Graph, c: VfxContext, src: string, e: number, blurredAt: 'start' | 'end'): string {
  const [a, b] = [g.label('sharp'), g.label('soft')];
  const soft = g.label('blurred');
  const out = g.label('vfx');
  const sigma = Math.max(3, Math.round(c.W / 25));
  g.chain(`[${src}]split=2[${a}][${b}]`);
  if (blurredAt === 'start') {
    g.chain(`[${b}]trim=duration=${f(e)},gblur=sigma=${sigma}[${soft}]`);
    g.chain(`[${soft}][${a}]xfade=transition=fade:duration=${f(e)}:offset=0[${out}]`);
  } else {
    g.chain(`[${b}]trim=start=${f(c.duration - e)},setpts=PTS-STARTPTS,gblur=sigma=${sigma}[${soft}]`);
    g.chain(`[${a}]trim=duration=${f(c.duration)}[${a}t]`);
    g.chain(`[${a}t][${soft}]xfade=transition=fade:duration=${f(e)}:offset=${f(c.duration - e)}[${out}]`);
  }
  return out;
}

/** Zoom with a smooth scale factor z(t) ≥ 1 about the centre. */
function zoom(c: VfxContext, z: string): string {
  // zoompan with d=1 maps each input frame to one output frame.
  return `zoompan=z='${z}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${c.W}x${c.H}:fps=${c.fps}`;
}

export function applyVfx(g: Graph, name: string, src: string, c: VfxContext): string {
  const D = c.duration;
  const e = Math.min(1, D / 2);
  const N = Math.max(1, Math.round(D * c.fps));
  const amp = Math.max(2, Math.round(c.W * 0.012));
  // A frame cropped slightly smaller, wandering on two incommensurate sines, scaled back up.
  const shake = `crop=iw-${4 * amp}:ih-${4 * amp}:x='${2 * amp}+${amp}*sin(t*23)':y='${2 * amp}+${amp}*cos(t*29)',scale=${c.W}:${c.H}:flags=bilinear,setsar=1`;
  switch (name) {
    case 'open':
      return fromSolid(g, c, src, 'vertopen', e);
    case 'close':
      return toSolid(g, c, src, 'vertclose', e);
    case 'withcircleopen':
      return fromSolid(g, c, src, 'circleopen', e);
    case 'withcircleclose':
      return toSolid(g, c, src, 'circleclose', e);
    case 'slightrectshow':
      return fromSolid(g, c, src, 'rectcrop', e);
    case 'wipecross':
      return fromSolid(g, c, src, 'diagtl', e);
    case 'black':
      return simple(g, src, `fade=t=in:d=${f(e)}`);
    case 'whiteshow':
      return simple(g, src, `fade=t=in:d=${f(e)}:color=white`);
    case 'disappear':
      return simple(g, src, `fade=t=out:st=${f(D - e)}:d=${f(e)}`);
    case 'slightshow':
      return simple(g, src, `eq=brightness='-0.35*max(0,1-t/${f(e)})':eval=frame`);
    case 'photograph':
      return simple(g, src, `fade=t=in:d=${f(Math.min(0.4, D / 3))}:color=white`);
    case 'shock':
      return simple(g, src, `eq=brightness='0.3*exp(-5*t)':contrast='1+0.6*exp(-5*t)':eval=frame`);
    case 'h_blur':
      return simple(g, src, `dblur=angle=0:radius=${Math.max(3, Math.round(c.W / 30))}`);
    case 'v_blur':
      return simple(g, src, `dblur=angle=90:radius=${Math.max(3, Math.round(c.W / 30))}`);
    case 'blur':
      return simple(g, src, `gblur=sigma=${Math.max(3, Math.round(c.W / 30))}`);
    case 'bluropen':
      return focus(g, c, src, e, 'start');
    case 'blurclose':
      return focus(g, c, src, e, 'end');
    case 'blurring':
      return focus(g, c, focus(g, c, src, Math.min(e, D / 3), 'start'), Math.min(e, D / 3), 'end');
    case 'slightshake':
      return simple(g, src, shake);
    case 'withcircleshake':
      return simple(g, src, `${shake},vignette=angle=PI/3.2`);
    case 'withcircleflashlight':
      return simple(g, src, `vignette=angle=PI/3:x0='w/2+w/4*sin(t*1.7)':y0='h/2+h/5*cos(t*1.3)':eval=frame`);
    case 'zoomslight':
      return simple(g, src, zoom(c, `1+0.06*on/${N}`));
    case 'zoom':
      return simple(g, src, zoom(c, `1+0.25*on/${N}`));
    case 'zoominout':
      return simple(g, src, zoom(c, `1+0.15*sin(PI*on/${N})`));
    case 'movie': {
      const bar = Math.round(c.H * 0.11);
      return simple(g, src, `drawbox=x=0:y=0:w=iw:h=${bar}:color=black:t=fill,drawbox=x=0:y=ih-${bar}:w=iw:h=${bar}:color=black:t=fill`);
    }
    case 'color_difference': {
      const s = Math.max(2, Math.round(c.W / 90));
      return simple(g, src, `rgbashift=rh=-${s}:bh=${s}`);
    }
    case 'color_to_grey':
      return simple(g, src, `hue=s='max(0,1-t/${f(D)})'`);
    case 'grey_to_color':
      return simple(g, src, `hue=s='min(1,t/${f(D)})'`);
    case 'image_in_image': {
      const [a, b, bg, fg] = [g.label('pa'), g.label('pb'), g.label('pbg'), g.label('pfg')];
      const out = g.label('vfx');
      const w = Math.round((c.W * 0.72) / 2) * 2;
      g.chain(`[${src}]split=2[${a}][${b}]`);
      g.chain(`[${a}]gblur=sigma=${Math.max(2, Math.round(c.W / 40))},eq=brightness=-0.1[${bg}]`);
      g.chain(`[${b}]scale=${w}:-2:flags=bilinear[${fg}]`);
      g.chain(`[${bg}][${fg}]overlay=(W-w)/2:(H-h)/2[${out}]`);
      return out;
    }
    default:
      return src;
  }
}
