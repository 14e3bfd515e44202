/** Resolves IMS text styles (fractions or pixels, alignment, auto sizes) into output pixels. */
import type { Alignment } from '../job/catalogue.js';
import type { Job, TextStyle } from '../job/job.js';
import type { ResolvedTextStyle } from './timeline.js';

/** Share of the frame kept clear at the sides. */
const SIDE_MARGIN = 0.08;
/** Share of the frame a title keeps clear at each side (titles are broken or shrunk only beyond it). */
const TITLE_EDGE = 0.03;
/** Default caption baseline: above the bottom ~20 % that short-video apps cover with their UI. */
const CAPTION_BOTTOM = 0.78;
const TITLE_TOP = 0.1;
/** Top-aligned captions sit under the status bar and the title. */
const CAPTION_TOP = 0.16;

const coord = (v: number, size: number) => (v < 1 ? v * size : v);

export function resolveTextStyle(
  style: TextStyle,
  W: number,
  H: number,
  defaults: { alignment: Alignment; top: number; bottom: number; sizeShare: number },
): ResolvedTextStyle {
  const alignment = style.alignment ?? defaults.alignment;
  const fontSize = style.fontSize > 0 ? style.fontSize : Math.round(H * defaults.sizeShare);
  const col = alignment.endsWith('Left') ? 'left' : alignment.endsWith('Right') ? 'right' : 'center';
  const row = alignment.startsWith('Top') ? 'top' : alignment.startsWith('Center') ? 'center' : 'bottom';
  let x = style.x !== undefined ? coord(style.x, W) : col === 'left' ? W * SIDE_MARGIN : col === 'right' ? W * (1 - SIDE_MARGIN) : W / 2;
  let y = style.y !== undefined ? coord(style.y, H) : row === 'top' ? H * defaults.top : row === 'center' ? H / 2 : H * defaults.bottom;
  x = Math.min(Math.max(x, 0), W);
  y = Math.min(Math.max(y, 0), H);
  return {
    font: style.font,
    fontUrl: style.fontUrl,
    fontSize,
    fontColor: style.fontColor,
    outline: style.outline,
    outlineColour: style.outlineColour,
    alignment,
    x: Math.round(x),
    y: Math.round(y),
  };
}

/** Width in pixels available to a line anchored at the style's position. */
export function lineWidthPx(s: ResolvedTextStyle, W: number): number {
  const m = W * SIDE_MARGIN * 0.5;
  const col = s.alignment.endsWith('Left') ? 'left' : s.alignment.endsWith('Right') ? 'right' : 'center';
  const avail = col === 'left' ? W - s.x - m : col === 'right' ? s.x - m : 2 * Math.min(s.x, W - s.x) - 2 * m;
  return Math.max(Math.min(avail, W * (1 - 2 * SIDE_MARGIN)), s.fontSize * 2);
}

/**
 * Width in pixels a line of text may really take at the style's anchor without leaving the frame
 * (no floor: a text that does not fit is shrunk by the caller).
 */
export function availableWidthPx(s: ResolvedTextStyle, W: number, kind: 'caption' | 'title' = 'caption'): number {
  // Captions keep to the safe area; a title (display text) may use the frame but for a thin edge.
  const m = Math.max(2, W * (kind === 'title' ? TITLE_EDGE : SIDE_MARGIN * 0.5));
  const col = s.alignment.endsWith('Left') ? 'left' : s.alignment.endsWith('Right') ? 'right' : 'center';
  const avail = col === 'left' ? W - s.x - m : col === 'right' ? s.x - m : 2 * Math.min(s.x, W - s.x) - 2 * m;
  return Math.max(1, Math.min(avail, kind === 'title' ? W - 2 * m : W * (1 - 2 * SIDE_MARGIN)));
}

export function captionStyle(job: Job): ResolvedTextStyle {
  const { width: W, height: H } = job.output;
  return resolveTextStyle(job.speech.captions, W, H, {
    alignment: 'BottomCenter',
    top: CAPTION_TOP,
    bottom: CAPTION_BOTTOM,
    sizeShare: 0.036,
  });
}

export function titleStyle(job: Job, style: TextStyle = job.title): ResolvedTextStyle {
  const { width: W, height: H } = job.output;
  return resolveTextStyle(style, W, H, { alignment: 'TopCenter', top: TITLE_TOP, bottom: CAPTION_BOTTOM, sizeShare: 0.045 });
}

/** Fewest em a caption line must hold: a font too large for the frame is shrunk to this. */
const MIN_LINE_EM = 4;

/**
 * The caption style and the width of a line in em (the outline takes room on both sides). A font
 * too large for the frame (a line of fewer than four em) is shrunk, so that lines broken at this
 * width never leave the frame.
 */
export function captionLayout(job: Job): { style: ResolvedTextStyle; lineEm: number } {
  const style = captionStyle(job);
  const avail = availableWidthPx(style, job.output.width) - 2 * style.outline;
  if (avail < MIN_LINE_EM * style.fontSize) style.fontSize = Math.max(6, Math.floor(avail / MIN_LINE_EM));
  return {
    style,
    lineEm: (Math.min(lineWidthPx(style, job.output.width), avail + 2 * style.outline) - 2 * style.outline) / style.fontSize,
  };
}
