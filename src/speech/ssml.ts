/**
 * The SSML subset IMS documents for voice-over text: <speak>, <s>, <p>, <w>, <break time="…"/>,
 * <sub alias="…">, <say-as>, <phoneme>. Markup becomes plain pieces: what to show in captions,
 * what to say (a <sub> shows its text and says its alias) and pauses. Tags the engine cannot use
 * (<say-as>, <phoneme>) keep their text. Malformed markup is an error naming the position.
 */
export type SpeechPiece = { show: string; say: string } | { pause: number };

export class MarkupError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`malformed markup at character ${position + 1}: ${reason}`);
  }
}

const KNOWN = new Set(['speak', 's', 'p', 'w', 'break', 'sub', 'say-as', 'phoneme']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The XML entities and numeric character references (within Unicode, not surrogates or NUL); any
 * other `&name;` is text as typed (never looked up as an object property).
 */
function decodeEntities(s: string, at: number): string {
  return s.replace(/&(#?\w+);?/g, (m, name: string, off: number) => {
    if (name.startsWith('#')) {
      const hex = /^#x/i.test(name);
      const digits = name.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9a-f]{1,8}$/i : /^\d{1,8}$/).test(digits))
        throw new MarkupError(at + off, `bad character reference ${m.slice(0, 20)}`);
      const code = Number.parseInt(digits, hex ? 16 : 10);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        throw new MarkupError(at + off, `character reference ${m.slice(0, 20)} is not a Unicode character`);
      return String.fromCodePoint(code);
    }
    return Object.hasOwn(ENTITIES, name) ? ENTITIES[name] : m;
  });
}

function parseTime(value: string, at: number): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(value);
  if (!m) throw new MarkupError(at, `break time "${value}" must be like 500ms or 1.5s`);
  const t = Number(m[1]) / (m[2] === 'ms' ? 1000 : 1);
  if (t > 10) throw new MarkupError(at, `break time "${value}" is longer than 10 s`);
  return t;
}

const STRENGTH: Record<string, number> = { none: 0, 'x-weak': 0.1, weak: 0.2, medium: 0.4, strong: 0.7, 'x-strong': 1.2 };

/** True when the text contains markup at all (plain text skips the parser). */
export const hasMarkup = (text: string) => /<\/?[a-zA-Z]/.test(text);

export interface ParsedSpeech {
  pieces: SpeechPiece[];
  /** Every <sub>: the text shown and the alias said. */
  subs: { show: string; say: string }[];
}

export function parseSpeechText(text: string): ParsedSpeech {
  const pieces: SpeechPiece[] = [];
  const subs: { show: string; say: string }[] = [];
  const stack: { name: string; at: number; alias?: string; inner: string }[] = [];
  const pushText = (show: string, say = show) => {
    const sub = stack.find((e) => e.name === 'sub');
    if (sub) {
      sub.inner += show;
      return;
    }
    const last = pieces[pieces.length - 1];
    if (last && 'show' in last) {
      last.show += show;
      last.say += say;
    } else pieces.push({ show, say });
  };
  const re = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<|>/g;
  let pos = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > pos) pushText(decodeEntities(text.slice(pos, m.index), pos));
    pos = m.index + m[0].length;
    if (m[0] === '<' || m[0] === '>')
      throw new MarkupError(m.index, m[0] === '<' ? 'a "<" that does not start a valid tag' : 'a stray ">"');
    const [, closing, rawName, attrText, selfClosing] = m;
    const name = rawName.toLowerCase();
    if (!KNOWN.has(name)) throw new MarkupError(m.index, `unknown tag <${rawName}>; supported: ${[...KNOWN].join(', ')}`);
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1].toLowerCase()] = a[2] ?? a[3];
    if (closing) {
      const open = stack.pop();
      if (!open) throw new MarkupError(m.index, `</${rawName}> closes nothing`);
      if (open.name !== name) throw new MarkupError(m.index, `</${rawName}> closes <${open.name}> opened at character ${open.at + 1}`);
      if (name === 'sub') {
        subs.push({ show: open.inner, say: open.alias ?? open.inner });
        pushText(open.inner, open.alias ?? open.inner);
      }
      continue;
    }
    if (name === 'break') {
      if (!selfClosing) throw new MarkupError(m.index, '<break> must be self-closing: <break time="500ms"/>');
      const t = attrs.time !== undefined ? parseTime(attrs.time, m.index) : (STRENGTH[attrs.strength ?? 'medium'] ?? 0.4);
      if (stack.some((e) => e.name === 'sub')) throw new MarkupError(m.index, '<break> inside <sub>');
      pieces.push({ pause: t });
      continue;
    }
    if (name === 'sub' && attrs.alias === undefined) throw new MarkupError(m.index, '<sub> needs an alias attribute');
    if (selfClosing) continue;
    stack.push({ name, at: m.index, alias: attrs.alias, inner: '' });
  }
  if (pos < text.length) pushText(decodeEntities(text.slice(pos), pos));
  const open = stack.pop();
  if (open) throw new MarkupError(open.at, `<${open.name}> is not closed`);
  return { pieces, subs };
}
