/**
 * Text relevance between a voice-over sentence and a material's words (title, description, tags,
 * file name). Tokens come from Intl.Segmenter (word granularity, so Chinese is segmented into
 * words), lower-cased, plus CJK character bigrams for recall. Score: sum of IDF weights of shared
 * tokens, normalised by the sentence's total weight.
 */
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const CJK = /[\u3400-\u9FFF]/u;

export function tokenize(text: string): Set<string> {
  const out = new Set<string>();
  const normalized = text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_\-./\\]+/g, ' ')
    .toLowerCase();
  for (const s of segmenter.segment(normalized)) {
    if (!s.isWordLike) continue;
    const w = s.segment;
    if (CJK.test(w)) {
      const chars = [...w];
      if (chars.length === 1) out.add(w);
      else {
        out.add(w);
        for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
      }
    } else if (w.length > 1 || /\d/.test(w)) {
      out.add(stem(w));
    }
  }
  return out;
}

/** A light English stemmer: enough to match "drinks" with "drink", "opening" with "open". */
function stem(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

export class RelevanceIndex {
  private readonly docs: Set<string>[];
  private readonly idf = new Map<string, number>();

  constructor(documents: string[]) {
    this.docs = documents.map(tokenize);
    const df = new Map<string, number>();
    for (const d of this.docs) for (const t of d) df.set(t, (df.get(t) ?? 0) + 1);
    const n = this.docs.length;
    for (const [t, f] of df) this.idf.set(t, Math.log(1 + n / f));
  }

  /** Score of each document for the query, in [0, 1]. */
  scores(query: string): number[] {
    const q = tokenize(query);
    let total = 0;
    for (const t of q) total += this.idf.get(t) ?? Math.log(1 + this.docs.length);
    return this.docs.map((d) => {
      if (total === 0) return 0;
      let s = 0;
      for (const t of q) if (d.has(t)) s += this.idf.get(t) ?? 0;
      return s / total;
    });
  }
}
