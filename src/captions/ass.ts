/**
 * Builds the ASS subtitle document of a timeline: voice-over captions, title and sub-headings,
 * positioned with \an + \pos in output pixels (PlayRes = output size), lines pre-broken (\N).
 */
import type { ResolvedTextStyle, Timeline } from '../planner/timeline.js';
import { assColor } from './ass-color.js';
import { fontFamily } from './fonts.js';
import { captionEvents, escapeChar } from './motion.js';

export { assColor };

const AN: Record<ResolvedTextStyle['alignment'], number> = {
  BottomLeft: 1,
  BottomCenter: 2,
  BottomRight: 3,
  CenterLeft: 4,
  CenterCenter: 5,
  CenterRight: 6,
  TopLeft: 7,
  TopCenter: 8,
  TopRight: 9,
};

export function assTime(t: number): string {
  const cs = Math.max(0, Math.round(t * 100));
  const h = Math.floor(cs / 360000);
  const m = Math.floor((cs % 360000) / 6000);
  const s = Math.floor((cs % 6000) / 100);
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(cs % 100).padStart(2, '0')}`;
}

/** Event text as libass reads it literally (override braces become parentheses). */
function escapeText(s: string): string {
  return [...s.replace(/\n/g, ' ')].map(escapeChar).join('');
}

function styleLine(name: string, s: ResolvedTextStyle, custom: ReadonlyMap<string, string>): string {
  const family = (s.fontUrl && custom.get(s.fontUrl)) || fontFamily(s.font);
  return `Style: ${name},${family},${s.fontSize},${assColor(s.fontColor)},${assColor(s.fontColor)},${assColor(s.outlineColour)},&H80000000,0,0,0,0,100,100,0,0,1,${s.outline},0,${AN[s.alignment]},0,0,0,1`;
}

/** `custom` maps FontUrl values to the family names of their files. */
export function buildAss(t: Timeline, custom: ReadonlyMap<string, string> = new Map()): string {
  const out: string[] = [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${t.width}`,
    `PlayResY: ${t.height}`,
    'WrapStyle: 2',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: TV.709',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
  ];
  if (t.captions) out.push(styleLine('Caption', t.captions.style, custom));
  if (t.title) out.push(styleLine('Title', t.title.style, custom));
  t.subHeadings.forEach((s, i) => {
    out.push(styleLine(`Sub${i}`, s.style, custom));
  });
  out.push('', '[Events]', 'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text');
  const pos = (s: ResolvedTextStyle) => `\\an${AN[s.alignment]}\\pos(${s.x},${s.y})`;
  // Lines as the planner broke them (WrapStyle 2: libass adds no breaks of its own).
  const text = (o: { text: string; lines?: string[] }) => (o.lines ?? [o.text]).map(escapeText).join('\\N');
  if (t.title)
    out.push(`Dialogue: 1,${assTime(t.title.start)},${assTime(t.title.end)},Title,,0,0,0,,{${pos(t.title.style)}}${text(t.title)}`);
  t.subHeadings.forEach((s, i) => {
    out.push(`Dialogue: 1,${assTime(s.start)},${assTime(s.end)},Sub${i},,0,0,0,,{${pos(s.style)}}${text(s)}`);
  });
  if (t.captions) {
    const c = t.captions;
    const an = `{\\an${AN[c.style.alignment]}}`;
    const place = { x: c.style.x, y: c.style.y, W: t.width, H: t.height };
    const effects = {
      in: c.inEffect?.name,
      out: c.outEffect?.name,
      loop: c.loopEffect?.name,
      highlight: c.highlight,
      base: c.style.fontColor,
    };
    for (const cap of c.captions)
      for (const e of captionEvents(cap.lines, cap.start, cap.end, place, effects))
        out.push(`Dialogue: 0,${assTime(e.start)},${assTime(e.end)},Caption,,0,0,0,,${an}${e.text}`);
  }
  return `${out.join('\n')}\n`;
}
