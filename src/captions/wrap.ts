/**
 * Text measurement and line breaking for captions (pure). Widths are in em of the caption font,
 * estimated per character class: CJK ideographs and full-width forms are 1 em; Latin letters and
 * digits are given the average advance of the bundled sans font (Noto Sans CJK's Latin), narrower
 * for i/l/punctuation, wider for m/w and capitals.
 */

const CJK = /[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFF60\uFFE0-\uFFE6\u3000-\u303F]/u;
const NARROW = /[ijlI.,;:'!|()[\]{}`]/;
const WIDE = /[mwMW@%&]/;
const UPPER = /[A-Z0-9#$?]/;

export function charWidthEm(ch: string): number {
  if (CJK.test(ch)) return 1;
  if (ch === ' ') return 0.26;
  if (NARROW.test(ch)) return 0.28;
  if (WIDE.test(ch)) return 0.86;
  if (UPPER.test(ch)) return 0.66;
  if (/\p{L}|\p{N}/u.test(ch)) return 0.55;
  return 0.5;
}

/** Width of a text in em of the caption font. */
export type Measure = (text: string) => number;

/** The per-class estimate, for when the real font cannot be read. */
export const estimateWidthEm: Measure = (text) => {
  let w = 0;
  for (const ch of text) w += charWidthEm(ch);
  return w;
};

/** Punctuation that must not start a line (kinsoku). */
const NO_LINE_START = /^[，。！？；：、,.!?;:)）」』”’》]/u;

/**
 * Breaks text into units that may end a line: words for Latin (with their trailing space),
 * single characters for CJK, with closing punctuation glued to the unit before it.
 */
function breakUnits(text: string): string[] {
  const units: string[] = [];
  const re = /[A-Za-z0-9\u00C0-\u024F'’-]+\s*|\s+|./gsu;
  for (const m of text.matchAll(re)) {
    const u = m[0];
    if (units.length > 0 && NO_LINE_START.test(u)) units[units.length - 1] += u;
    else units.push(u);
  }
  return units;
}

/** Greedy line breaking to `maxEm`; a single unit wider than a line is split by characters. */
export function wrapLines(text: string, maxEm: number, measure: Measure = estimateWidthEm): string[] {
  const lines: string[] = [];
  let line = '';
  let width = 0;
  for (const unit of breakUnits(text.trim())) {
    const w = measure(unit.trimEnd());
    if (width + w <= maxEm || line === '') {
      if (w > maxEm && line === '') {
        for (const ch of unit) {
          const cw = measure(ch);
          if (width + cw > maxEm && line !== '') {
            lines.push(line.trimEnd());
            line = '';
            width = 0;
          }
          line += ch;
          width += cw;
        }
        continue;
      }
      line += unit;
      width += measure(unit);
    } else {
      lines.push(line.trimEnd());
      line = unit.trimStart();
      width = measure(line);
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

const SENTENCE_END = /(?<=[。！？；!?;…])|(?<=[.](?=\s|$))/u;
const CLAUSE_END = /(?<=[，、,：:])/u;

/**
 * Splits voice-over text into caption units: sentences, then clauses, then words, so that each
 * unit fits in `maxLines` lines of `lineEm`. Each unit is synthesized on its own, which is what
 * makes caption timing exact.
 */
export function splitCaptionUnits(text: string, lineEm: number, measure: Measure = estimateWidthEm, maxLines = 2): string[] {
  const fits = (s: string) => wrapLines(s, lineEm, measure).length <= maxLines;
  const out: string[] = [];
  const sentences = text
    .replace(/<[^>]+>/g, ' ')
    .split(/\n+/)
    .flatMap((p) => p.split(SENTENCE_END))
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && /[\p{L}\p{N}]/u.test(s));
  for (const sentence of sentences) {
    if (fits(sentence)) {
      out.push(sentence);
      continue;
    }
    // Pack clauses greedily.
    let current = '';
    for (const clause of sentence
      .split(CLAUSE_END)
      .map((c) => c.trim())
      .filter(Boolean)) {
      const joined = current ? joinText(current, clause) : clause;
      if (fits(joined)) current = joined;
      else {
        if (current) out.push(current);
        if (fits(clause)) current = clause;
        else {
          // Break an over-long clause at line boundaries.
          const lines = wrapLines(clause, lineEm, measure);
          for (let i = 0; i < lines.length; i += maxLines)
            out.push(lines.slice(i, i + maxLines).join(/[A-Za-z]$/.test(lines[i]) ? ' ' : ''));
          current = '';
        }
      }
    }
    if (current) out.push(current);
  }
  return out;
}

function joinText(a: string, b: string): string {
  return /[\u3000-\u9FFF\uFF00-\uFFEF]$/u.test(a) ? a + b : `${a} ${b}`;
}

/**
 * Lines and font size for a text that must stay inside `widthPx` (a title, a sub-heading): broken
 * by the measured width of its font at word boundaries (CJK anywhere), and, when a single word is
 * still wider than the line or it takes more than `maxLines` lines, shrunk step by step (down to
 * `minSize`, where words are split by characters as the last resort). `extraPx` is what the
 * outline adds on both sides. Pure.
 */
export function fitText(
  text: string,
  fontSize: number,
  widthPx: (fontSize: number) => number,
  measure: Measure,
  o: { maxLines?: number; minSize?: number; extraPx?: number } = {},
): { lines: string[]; fontSize: number } {
  const maxLines = o.maxLines ?? 3;
  const minSize = Math.max(1, Math.min(fontSize, o.minSize ?? 8));
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  for (let size = fontSize; ; size = Math.max(minSize, Math.floor(size * 0.92))) {
    const lineEm = (widthPx(size) - 2 * (o.extraPx ?? 0)) / size;
    const lines = wrapLines(flat, Math.max(lineEm, 0.5), measure);
    const wordsFit = breakUnits(flat).every((u) => measure(u.trimEnd()) <= lineEm);
    if ((wordsFit && lines.length <= maxLines) || size === minSize) return { lines, fontSize: size };
  }
}
