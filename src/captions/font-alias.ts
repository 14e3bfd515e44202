/**
 * A custom font (`FontUrl`) under a name of reelsmith's choosing. A font file's own family name is
 * untrusted text: a comma in it shifts the fields of an ASS style line, a newline starts a new
 * section. So the copy handed to libass gets a new `name` table whose family, full and PostScript
 * names are a plain alias (`ReelsmithFont0`), and the ASS document refers to that alias only. Works
 * on single-font sfnt files (TrueType and CFF OpenType); other containers (collections, WOFF) are
 * not rewritten and fall back to a name that is safe as written (see `safeFamily`).
 */

const SFNT_VERSIONS = new Set([0x00010000, 0x4f54544f /* OTTO */, 0x74727565 /* true */]);

function checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i += 4) {
    const word = (buf[i] << 24) | ((buf[i + 1] ?? 0) << 16) | ((buf[i + 2] ?? 0) << 8) | (buf[i + 3] ?? 0);
    sum = (sum + (word >>> 0)) >>> 0;
  }
  return sum;
}

/** A `name` table (format 0) with Windows Unicode names: family, subfamily, full name, PostScript name. */
function nameTable(alias: string): Buffer {
  const names: [number, string][] = [
    [1, alias],
    [2, 'Regular'],
    [3, alias],
    [4, alias],
    [6, alias],
  ];
  const strings = names.map(([, s]) => Buffer.from(s, 'utf16le').swap16());
  const head = Buffer.alloc(6 + 12 * names.length);
  head.writeUInt16BE(0, 0);
  head.writeUInt16BE(names.length, 2);
  head.writeUInt16BE(head.length, 4);
  let offset = 0;
  names.forEach(([id], i) => {
    const r = 6 + 12 * i;
    head.writeUInt16BE(3, r); // Windows
    head.writeUInt16BE(1, r + 2); // Unicode BMP
    head.writeUInt16BE(0x409, r + 4); // en-US
    head.writeUInt16BE(id, r + 6);
    head.writeUInt16BE(strings[i].length, r + 8);
    head.writeUInt16BE(offset, r + 10);
    offset += strings[i].length;
  });
  return Buffer.concat([head, ...strings]);
}

/** The font file with its names replaced by `alias` (letters and digits only), or undefined when it is not a single sfnt font. */
export function renameFont(data: Buffer, alias: string): Buffer | undefined {
  if (!/^[A-Za-z][A-Za-z0-9]{0,30}$/.test(alias)) throw new Error(`font alias ${alias} must be letters and digits`);
  return setFontNames(data, alias);
}

/** The font file with every name set to `name` (any text: tests make hostile fonts with it). */
export function setFontNames(data: Buffer, alias: string): Buffer | undefined {
  if (data.length < 12 || !SFNT_VERSIONS.has(data.readUInt32BE(0))) return undefined;
  const count = data.readUInt16BE(4);
  if (data.length < 12 + 16 * count) return undefined;
  const tables: { tag: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const r = 12 + 16 * i;
    const tag = data.toString('latin1', r, r + 4);
    const offset = data.readUInt32BE(r + 8);
    const length = data.readUInt32BE(r + 12);
    if (offset + length > data.length) return undefined;
    if (tag !== 'name') tables.push({ tag, data: Buffer.from(data.subarray(offset, offset + length)) });
  }
  tables.push({ tag: 'name', data: nameTable(alias) });
  tables.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const n = tables.length;
  const dir = Buffer.alloc(12 + 16 * n);
  dir.writeUInt32BE(data.readUInt32BE(0), 0);
  const power = 2 ** Math.floor(Math.log2(n));
  dir.writeUInt16BE(n, 4);
  dir.writeUInt16BE(power * 16, 6);
  dir.writeUInt16BE(Math.log2(power), 8);
  dir.writeUInt16BE(n * 16 - power * 16, 10);
  const body: Buffer[] = [];
  let offset = dir.length;
  let headOffset = -1;
  tables.forEach((t, i) => {
    if (t.tag === 'head' && t.data.length >= 12) {
      t.data.writeUInt32BE(0, 8); // checkSumAdjustment, set below
      headOffset = offset;
    }
    const r = 12 + 16 * i;
    dir.write(t.tag, r, 'latin1');
    dir.writeUInt32BE(checksum(t.data), r + 4);
    dir.writeUInt32BE(offset, r + 8);
    dir.writeUInt32BE(t.data.length, r + 12);
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    body.push(padded);
    offset += padded.length;
  });
  const out = Buffer.concat([dir, ...body]);
  if (headOffset >= 0) out.writeUInt32BE((0xb1b0afba - checksum(out)) >>> 0, headOffset + 8);
  return out;
}

/** A family name as written in an ASS style line, when it is safe there (no comma, no control character), else undefined. */
export function safeFamily(family: string): string | undefined {
  return family.length > 0 && family.length <= 200 && !/[,\u0000-\u001f\u007f\\{}]/.test(family) ? family : undefined;
}
