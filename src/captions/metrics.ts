/**
 * Glyph advance widths of the installed caption fonts, so that captions are broken by the measured
 * width of the real font (the one libass will use, found through fontconfig), not by a character
 * count. Loaded once per family; the measure it returns is a pure function.
 */
import { execFileSync } from 'node:child_process';
import * as fontkit from 'fontkit';
import { charWidthEm, type Measure } from './wrap.js';

const cache = new Map<string, Measure>();

interface FontLike {
  unitsPerEm: number;
  ascent: number;
  descent: number;
  postscriptName: string;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): { advanceWidth: number };
}

/**
 * The system font fontconfig picks for a family, opened (once per process: a lookup and the font's
 * parsing cost ~0.1 s each, and every job measures its captions and title).
 */
const found = new Map<string, FontLike | undefined>();
function findFont(family: string): FontLike | undefined {
  if (!found.has(family)) found.set(family, lookUpFont(family));
  return found.get(family);
}

function lookUpFont(family: string): FontLike | undefined {
  let spec: string;
  try {
    spec = execFileSync('fc-match', ['-f', '%{file}|%{postscriptname}', family], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  const [file, ps] = spec.split('|');
  if (!file) return undefined;
  const opened = fontkit.openSync(file) as unknown as FontLike | { fonts: FontLike[] };
  if ('fonts' in opened) return opened.fonts.find((f) => f.postscriptName === ps) ?? opened.fonts[0];
  return opened;
}

/** Width in em of text set in the font of a file (a custom FontUrl font). */
export function fileMeasure(path: string): Measure {
  const opened = fontkit.openSync(path) as unknown as FontLike | { fonts: FontLike[] };
  return measureWith('fonts' in opened ? opened.fonts[0] : opened, `file:${path}`);
}

/** Width in em of text set in `family`; falls back to per-class estimates when the font is missing. */
export function fontMeasure(family: string): Measure {
  return measureWith(findFont(family), family);
}

function measureWith(font: FontLike | undefined, key: string): Measure {
  const hit = cache.get(key);
  if (hit) return hit;
  let measure: Measure;
  if (!font) measure = (s) => [...s].reduce((w, ch) => w + charWidthEm(ch), 0);
  else {
    const widths = new Map<number, number>();
    measure = (s) => {
      let w = 0;
      for (const ch of s) {
        const cp = ch.codePointAt(0)!;
        let a = widths.get(cp);
        if (a === undefined) {
          a = font.hasGlyphForCodePoint(cp) ? font.glyphForCodePoint(cp).advanceWidth / font.unitsPerEm : charWidthEm(ch);
          widths.set(cp, a);
        }
        w += a;
      }
      return w;
    };
  }
  cache.set(key, measure);
  return measure;
}

/**
 * Widths in units of the ASS font size, as libass draws them: libass sizes a font so that its
 * ascender-to-descender height (not its em) equals `Fontsize` (VSFilter's rule), so a font whose
 * height is 1.448 em (Noto CJK) is drawn at 1/1.448 em per size unit. Titles are fitted with this,
 * so that a line is broken only when it would really leave its room.
 */
export function assWidths(measure: Measure, font: { family?: string; path?: string }): Measure {
  let f: FontLike | undefined;
  try {
    const opened = font.path ? (fontkit.openSync(font.path) as unknown as FontLike | { fonts: FontLike[] }) : undefined;
    f = opened ? ('fonts' in opened ? opened.fonts[0] : opened) : font.family ? findFont(font.family) : undefined;
  } catch {
    f = undefined;
  }
  const height = f && f.ascent - f.descent > 0 ? (f.ascent - f.descent) / f.unitsPerEm : 1;
  return height === 1 ? measure : (text) => measure(text) / height;
}
