/**
 * IMS font names → installed free fonts of the same kind, for libass: serif (SimSun, 宋体 family)
 * → Noto Serif CJK SC, kai (KaiTi, FZKai) → AR PL UKai CN (fonts-arphic-ukai) when installed, else
 * the serif, everything else (YaHei, PuHuiTi, SiYuan Heiti, WenQuanYi, Roboto, …) → Noto Sans CJK
 * SC. Every target has CJK glyphs, so Chinese captions never render as empty boxes.
 */
import { execFileSync } from 'node:child_process';

const SERIF = ['simsun', 'siyuan simsun', 'fzshusong-z01s', 'fzfangsong-z02s', 'songti', 'nsimsun', 'fangsong'];
const KAI = ['kaiti', 'fzkai-z03s', 'stkaiti', 'kai'];

export const SANS_FAMILY = 'Noto Sans CJK SC';
export const SERIF_FAMILY = 'Noto Serif CJK SC';
export const KAI_FAMILY = 'AR PL UKai CN';

let installed: Set<string> | undefined;
function isInstalled(family: string): boolean {
  if (!installed) {
    try {
      installed = new Set(
        execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' })
          .split('\n')
          .flatMap((l) => l.split(','))
          .map((f) => f.trim()),
      );
    } catch {
      installed = new Set();
    }
  }
  return installed.has(family);
}

/** The fontconfig family libass should use for an IMS font name. */
export function fontFamily(imsName: string): string {
  const n = imsName.trim().toLowerCase();
  if (KAI.includes(n)) return isInstalled(KAI_FAMILY) ? KAI_FAMILY : SERIF_FAMILY;
  if (SERIF.includes(n)) return SERIF_FAMILY;
  return SANS_FAMILY;
}
