/**
 * When an ASS document's picture can change: the frames at which a subtitle renderer (libass)
 * must draw it again, because an event starts or ends there or is animated (\t, \move, \fad,
 * karaoke, scrolling effects). Between two such frames the picture is the same, so a caption
 * layer drawn at those frames only and held in between is the document drawn at every frame.
 */

export interface AssEvent {
  /** Milliseconds, as libass reads them (centiseconds × 10). */
  start: number;
  end: number;
  animated: boolean;
  /** Drawn with some transparency (\alpha, \1a…\4a, \fad). */
  translucent: boolean;
}

/** Override tags whose effect depends on the time within the event. */
const ANIMATED_TAG = /\\(?:t\(|move\(|fade?\(|[kK][fo]?\d)/;
/** Override tags that draw with some transparency (alpha or fades). */
const TRANSLUCENT_TAG = /\\(?:alpha|[1-4]a|fade?\()/;

function assMs(t: string): number {
  const m = /^(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d{1,2}))?$/.exec(t.trim());
  if (!m) throw new Error(`not an ASS time: ${t}`);
  const cs = m[4] === undefined ? 0 : Number(m[4].padEnd(2, '0'));
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + cs * 10;
}

/**
 * The records of one section of an ASS document (`Dialogue` lines of [Events], `Style` lines of
 * [V4+ Styles]), each a lookup by its Format's field names; the last field keeps its commas (an
 * event's Text).
 */
function assRecords(doc: string, section: RegExp, kind: string): ((field: string) => string)[] {
  const records: ((field: string) => string)[] = [];
  let format: string[] | undefined;
  let inside = false;
  for (const raw of doc.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inside = section.test(line);
      continue;
    }
    if (!inside) continue;
    if (line.startsWith('Format:'))
      format = line
        .slice(7)
        .split(',')
        .map((s) => s.trim().toLowerCase());
    else if (line.startsWith(`${kind}:`) && format) {
      const names = format;
      const parts = line.slice(kind.length + 1).split(',');
      const fields = [...parts.slice(0, names.length - 1), parts.slice(names.length - 1).join(',')].map((s) => s.trim());
      records.push((name) => fields[names.indexOf(name)] ?? '');
    }
  }
  return records;
}

/** The Dialogue events of an ASS document, with their times and whether they move. */
export function assEvents(doc: string): AssEvent[] {
  return assRecords(doc, /^\[events\]$/i, 'Dialogue').map((get) => {
    const overrides = get('text').match(/\{[^}]*\}/g) ?? [];
    return {
      start: assMs(get('start')),
      end: assMs(get('end')),
      animated: get('effect') !== '' || overrides.some((o) => ANIMATED_TAG.test(o)),
      translucent: overrides.some((o) => TRANSLUCENT_TAG.test(o)),
    };
  });
}

/**
 * The frames of [0, frames) at which the document must be drawn: frame 0, every frame at which
 * the set of shown events differs from the frame before, and every frame of an animated event.
 * `timeMs(n)` lists the times frame n may be drawn at (the renderer's clock, e.g. truncated and
 * rounded): a frame is a change when the set differs under any of them, so the result holds
 * whichever the renderer uses.
 */
export function changeFrames(events: AssEvent[], frames: number, timeMs: (n: number) => number[]): number[] {
  const shownAt = (ms: number) =>
    events
      .map((e, i) => (e.start <= ms && ms < e.end ? i : -1))
      .filter((i) => i >= 0)
      .join(',');
  const animatedAt = (ms: number) => events.some((e) => e.animated && e.start <= ms && ms < e.end);
  const out: number[] = [];
  let before: string[] = [];
  for (let n = 0; n < frames; n++) {
    const times = timeMs(n);
    const now = times.map(shownAt);
    if (n === 0 || now.some((s, k) => s !== before[k]) || times.some(animatedAt)) out.push(n);
    before = now;
  }
  return out;
}

/**
 * Whether everything the document draws is opaque: no style colour with alpha (of the fill, the
 * karaoke colour, the outline, and the shadow or box where one is drawn) and no event with alpha
 * tags or fades. (A caption layer is exact only then: drawn on a transparent canvas, libass's
 * colour alpha enters the canvas's alpha twice.)
 */
export function assOpaque(doc: string): boolean {
  const translucentStyle = assRecords(doc, /^\[v4\+? styles\]$/i, 'Style').some((get) => {
    const boxed = get('borderstyle') === '3' || Number(get('shadow')) > 0;
    const colours = ['primarycolour', 'secondarycolour', 'outlinecolour', ...(boxed ? ['backcolour'] : [])];
    // &HAABBGGRR: alpha is the first byte of eight hex digits.
    return colours.some((c) => /^&H[0-9a-f]{8}$/i.test(get(c)) && !/^&H00/i.test(get(c)));
  });
  return !translucentStyle && !assEvents(doc).some((e) => e.translucent);
}
