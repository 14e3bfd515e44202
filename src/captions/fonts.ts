/** IMS font names → installed free fonts of the same kind (serif / sans / kai), for libass. */

const SERIF = ['simsun', 'siyuan simsun', 'fzshusong-z01s', 'fzfangsong-z02s', 'songti', 'nsimsun'];
const KAI = ['kaiti', 'fzkai-z03s', 'stkaiti'];

export const SANS_FAMILY = 'Noto Sans CJK SC';
export const SERIF_FAMILY = 'Noto Serif CJK SC';

/** The fontconfig family libass should use for an IMS font name. */
export function fontFamily(imsName: string): string {
  const n = imsName.trim().toLowerCase();
  if (SERIF.includes(n) || KAI.includes(n)) return SERIF_FAMILY;
  return SANS_FAMILY;
}
