/**
 * Caption animations (IMS AaiMotionInEffect / AaiMotionOutEffect / AaiMotionLoopEffect) built
 * from libass override tags. A caption becomes up to three events: the entrance (its first
 * moments), the body (with the loop effect) and the exit (its last moments), so that each phase
 * can have its own \move and \t. Exit effects are their entrance twins played backwards.
 */

export interface Motion {
  /** Tags of the hidden state, animated to `to` over the entrance. */
  from?: string;
  /** Tags of the settled state (the target of \t). */
  to?: string;
  /** Intermediate keyframes: fraction of the phase and tags reached there. */
  keys?: [number, string][];
  /** Offset of the hidden state from the settled position, as fractions of the frame. */
  move?: [number, number];
  /** Reveal from the vertical centre line outwards. */
  clip?: boolean;
  /** Alpha fade with the motion. */
  fade?: boolean;
  /** Animate character by character: in order, in a shuffled order, or in order with a wave. */
  perChar?: 'seq' | 'random' | 'instant';
}

const SCALE0 = '\\fscx0\\fscy0';
const SCALE100 = '\\fscx100\\fscy100';

/** Entrance effects; each `_out` twin plays the same motion backwards. */
export const CAPTION_MOTIONS: Record<string, Motion> = {
  fade_in: { fade: true },
  blur_in: { from: '\\blur18', to: '\\blur0', fade: true },
  wave_in: { from: '\\fscy20', to: '\\fscy100', perChar: 'seq', fade: true },
  scroll_right_in: { move: [-0.6, 0], fade: true },
  scroll_left_in: { move: [0.6, 0], fade: true },
  heartjump_in: { from: SCALE0, keys: [[0.6, '\\fscx125\\fscy125']], to: SCALE100 },
  musicjump_in: { from: '\\fscy0', keys: [[0.6, '\\fscy140']], to: '\\fscy100', perChar: 'seq' },
  rotateup_in: { from: '\\frz-60', to: '\\frz0', move: [0, 0.12], fade: true },
  close_in: { from: '\\fscx300', to: '\\fscx100', fade: true },
  slingshot_in: { from: '\\fscy160\\fscx70', keys: [[0.7, '\\fscy90\\fscx110']], to: SCALE100, move: [0, 0.3] },
  rotateflip_in: { from: '\\fry90', to: '\\fry0' },
  elasticzoom_in: {
    from: SCALE0,
    keys: [
      [0.5, '\\fscx130\\fscy130'],
      [0.75, '\\fscx90\\fscy90'],
    ],
    to: SCALE100,
  },
  zoom_in: { from: SCALE0, to: SCALE100 },
  spring_in: {
    from: '\\fscy0',
    keys: [
      [0.55, '\\fscy135'],
      [0.8, '\\fscy90'],
    ],
    to: '\\fscy100',
  },
  fade_in_placeholder: {},
  growth_in: { from: '\\fscx0', to: '\\fscx100' },
  open_in: { clip: true },
  dissovle_in: { perChar: 'random', fade: true },
  zoomslightout_in: { from: '\\fscx115\\fscy115', to: SCALE100, fade: true },
  zoomin_in: { from: '\\fscx40\\fscy40', to: SCALE100, fade: true },
  zoomout_in: { from: '\\fscx180\\fscy180', to: SCALE100, fade: true },
  angular_in: { from: '\\frz35', to: '\\frz0', fade: true },
  rotate1_in: { from: `\\frz-360${SCALE0}`, to: `\\frz0${SCALE100}` },
  rotate2_in: { from: `\\frz360${SCALE0}`, to: `\\frz0${SCALE100}` },
  brokentypewriter_in: { perChar: 'random' },
  typewriter1_in: { perChar: 'instant' },
  typewriter2_in: { perChar: 'seq', fade: true },
  typewriter3_in: { from: '\\fscx160\\fscy160', to: SCALE100, perChar: 'seq', fade: true },
  slide_left_in: { move: [0.25, 0], fade: true },
  slide_right_in: { move: [-0.25, 0], fade: true },
  slide_down_in: { move: [0, -0.08], fade: true },
  slide_up_in: { move: [0, 0.08], fade: true },
};
delete CAPTION_MOTIONS.fade_in_placeholder;

/** Loop effects, played over the caption's body. */
export const CAPTION_LOOPS: Record<string, { period: number; a: string; b: string } | null> = {
  normal_display: null,
  naughty_display: { period: 0.4, a: '\\frz5', b: '\\frz-5' },
  pulse_display: { period: 0.5, a: '\\fscx108\\fscy108', b: SCALE100 },
  sway_display: { period: 0.6, a: '\\fax0.12', b: '\\fax-0.12' },
};

export const motionFor = (name: string): Motion | undefined => CAPTION_MOTIONS[name.replace(/_out$/, '_in')];

export interface CaptionEvent {
  start: number;
  end: number;
  /** Dialogue text with its override tags. */
  text: string;
}

export interface Placement {
  x: number;
  y: number;
  W: number;
  H: number;
}

const ms = (s: number) => Math.max(0, Math.round(s * 1000));

/** A small seeded shuffle, so that "random" character orders are the same on every render. */
function shuffledOrder(n: number, seed: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  let s = seed || 1;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

/**
 * One character of event text, escaped so that libass shows it as typed: braces as `\{` `\}`
 * (libass's escapes), a backslash followed by a word joiner (U+2060, invisible), so that a typed
 * `\N`, `\n` or `\h` is not read as a line break or a hard space.
 */
export function escapeChar(ch: string): string {
  return ch === '{' ? '\\{' : ch === '}' ? '\\}' : ch === '\\' ? '\\\u2060' : ch;
}

/** Tags and text of one animated phase. `entering` plays hidden → settled, else settled → hidden. */
function phase(m: Motion, lines: string[], p: Placement, dur: number, entering: boolean): string {
  const D = ms(dur);
  const tags: string[] = [];
  if (m.move) {
    const hx = Math.round(p.x + m.move[0] * p.W);
    const hy = Math.round(p.y + m.move[1] * p.H);
    tags.push(entering ? `\\move(${hx},${hy},${p.x},${p.y},0,${D})` : `\\move(${p.x},${p.y},${hx},${hy},0,${D})`);
  } else tags.push(`\\pos(${p.x},${p.y})`);
  if (m.clip) {
    const closed = `\\clip(${p.x},0,${p.x + 1},${p.H})`;
    const open = `\\clip(0,0,${p.W},${p.H})`;
    tags.push(entering ? `${closed}\\t(0,${D},${open})` : `${open}\\t(0,${D},${closed})`);
  }
  const whole = !m.perChar;
  const anim = (
    from: string | undefined,
    to: string | undefined,
    keys: [number, string][] | undefined,
    a: number,
    b: number,
    fade: boolean,
  ) => {
    const hidden = `${from ?? ''}${fade ? '\\alpha&HFF&' : ''}`;
    const shown = `${to ?? ''}${fade ? '\\alpha&H00&' : ''}`;
    const span = b - a;
    if (entering) {
      let out = hidden;
      let t0 = a;
      for (const [frac, k] of keys ?? []) {
        const t1 = Math.round(a + frac * span);
        out += `\\t(${t0},${t1},${k})`;
        t0 = t1;
      }
      return out + (shown ? `\\t(${t0},${b},${shown})` : '');
    }
    let out = shown;
    let t0 = a;
    for (const [frac, k] of [...(keys ?? [])].reverse()) {
      const t1 = Math.round(a + (1 - frac) * span);
      out += `\\t(${t0},${t1},${k})`;
      t0 = t1;
    }
    return out + (hidden ? `\\t(${t0},${b},${hidden})` : '');
  };
  if (whole)
    return `{${tags.join('')}${anim(m.from, m.to, m.keys, 0, D, !!m.fade)}}${lines.map((l) => [...l].map(escapeChar).join('')).join('\\N')}`;

  // Character by character.
  const chars = lines.flatMap((l, li) => [
    ...[...l].map((c) => ({ c, br: false })),
    ...(li < lines.length - 1 ? [{ c: '', br: true }] : []),
  ]);
  const visible = chars.filter((c) => !c.br && c.c.trim() !== '').length;
  const order =
    m.perChar === 'random' ? shuffledOrder(visible, visible * 31 + lines.join('').length) : Array.from({ length: visible }, (_, i) => i);
  const step = (D * (m.perChar === 'instant' ? 0.9 : 0.6)) / Math.max(1, visible);
  const each = m.perChar === 'instant' ? 1 : Math.max(40, Math.round(D * 0.4));
  let k = 0;
  let text = `{${tags.join('')}}`;
  for (const ch of chars) {
    if (ch.br) {
      text += '\\N';
      continue;
    }
    if (ch.c.trim() === '') {
      text += ch.c;
      continue;
    }
    const rank = entering ? order[k] : visible - 1 - order[k];
    k++;
    const a = Math.round(rank * step);
    const fade = m.fade || m.perChar === 'instant' || m.perChar === 'random';
    text += `{${anim(m.from, m.to, m.keys, a, a + each, fade)}}${escapeChar(ch.c)}`;
  }
  return text;
}

function loopTags(name: string | undefined, dur: number): string {
  const loop = name ? CAPTION_LOOPS[name] : null;
  if (!loop) return '';
  const P = ms(loop.period);
  const n = Math.min(40, Math.floor(ms(dur) / P));
  let out = '';
  for (let i = 0; i < n; i++) out += `\\t(${i * P},${(i + 1) * P},${i % 2 === 0 ? loop.a : loop.b})`;
  return out;
}

/**
 * The events of one caption: entrance, body and exit. Phase lengths: at most 0.45 s in, 0.35 s out,
 * and never more than a third (a quarter) of the caption.
 */
export function captionEvents(
  lines: string[],
  start: number,
  end: number,
  p: Placement,
  effects: { in?: string; out?: string; loop?: string; highlight?: { mode: 'sweep' | 'pop'; color: string }; base?: string },
): CaptionEvent[] {
  const d = end - start;
  const inM = effects.in ? motionFor(effects.in) : undefined;
  const outM = effects.out ? motionFor(effects.out) : undefined;
  const tin = inM ? Math.min(0.45, d / 3) : 0;
  const tout = outM ? Math.min(0.35, d / 4) : 0;
  const events: CaptionEvent[] = [];
  if (inM) events.push({ start, end: start + tin, text: phase(inM, lines, p, tin, true) });
  const bodyStart = start + tin;
  const bodyText = effects.highlight
    ? karaoke(lines, start, end, bodyStart, effects.highlight, effects.base ?? '#ffffff')
    : lines.map((l) => [...l].map(escapeChar).join('')).join('\\N');
  events.push({ start: bodyStart, end: end - tout, text: `{\\pos(${p.x},${p.y})${loopTags(effects.loop, d - tin - tout)}}${bodyText}` });
  if (outM) {
    // Every word has been spoken by the exit: shown in the highlight colour.
    const done = effects.highlight ? `{\\1c${bgr(effects.highlight.color)}}` : '';
    events.push({ start: end - tout, end, text: done + phase(outM, lines, p, tout, false) });
  }
  return events;
}

/** #rrggbb → the &HBBGGRR& form of \\1c / \\2c. */
function bgr(hex: string): string {
  const h = hex.replace('#', '').toUpperCase();
  return `&H${h.slice(4, 6)}${h.slice(2, 4)}${h.slice(0, 2)}&`;
}

/** Words of a line: Latin words with their trailing space, single CJK characters, punctuation. */
function words(line: string): string[] {
  return line.match(/[A-Za-z0-9\u00C0-\u024F'’-]+\s*|\s+|./gsu) ?? [];
}

/**
 * Word-by-word highlighting with karaoke tags. Word times are an estimate (espeak-ng does not
 * report them): the caption's speech time shared in proportion to each word's letters (a CJK
 * character counts as a word; punctuation as a third). `\\kf` sweeps each word; pop switches it
 * at once with a short scale pulse. Words spoken before `eventStart` are already highlighted.
 */
export function karaoke(
  lines: string[],
  start: number,
  end: number,
  eventStart: number,
  h: { mode: 'sweep' | 'pop'; color: string },
  base: string,
): string {
  const tokens = lines.map(words);
  const weight = (w: string) => {
    const letters = [...w.trim()].filter((c) => /[\p{L}\p{N}]/u.test(c)).length;
    return letters > 0 ? letters : w.trim() ? 0.3 : 0;
  };
  const total = tokens.flat().reduce((a, w) => a + weight(w), 0) || 1;
  const perUnit = (end - start) / total;
  let t = start;
  const tag = h.mode === 'sweep' ? 'kf' : 'k';
  const out = tokens.map((line) =>
    line
      .map((w) => {
        const ws = t;
        t += weight(w) * perUnit;
        const cs = Math.max(0, Math.round((t - Math.max(ws, eventStart)) * 100));
        const at = Math.max(0, Math.round((ws - eventStart) * 1000));
        const pop =
          h.mode === 'pop' && w.trim() ? `\\t(${at},${at + 120},\\fscx118\\fscy118)\\t(${at + 120},${at + 240},\\fscx100\\fscy100)` : '';
        return `{\\${tag}${cs}${pop}}${[...w].map(escapeChar).join('')}`;
      })
      .join(''),
  );
  return `{\\1c${bgr(h.color)}\\2c${bgr(base)}}${out.join('\\N')}`;
}
