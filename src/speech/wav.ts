/** Minimal PCM WAV reading and writing (16-bit mono, as espeak-ng writes). */
import { readFile, writeFile } from 'node:fs/promises';

export interface Pcm {
  sampleRate: number;
  samples: Int16Array;
}

export function decodeWav(buf: Buffer): Pcm {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let pos = 12;
  let sampleRate = 0;
  let channels = 1;
  let bits = 16;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    let size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`unsupported WAV sample size ${bits}`);
      size = Math.min(size, buf.length - body);
      const all = new Int16Array(buf.buffer.slice(buf.byteOffset + body, buf.byteOffset + body + (size - (size % 2))));
      if (channels === 1) return { sampleRate, samples: all };
      const mono = new Int16Array(Math.floor(all.length / channels));
      for (let i = 0; i < mono.length; i++) mono[i] = all[i * channels];
      return { sampleRate, samples: mono };
    }
    pos = body + size + (size % 2);
  }
  throw new Error('WAV file has no data chunk');
}

export function encodeWav(pcm: Pcm): Buffer {
  const data = Buffer.from(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(pcm.sampleRate, 24);
  h.writeUInt32LE(pcm.sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** Cuts leading and trailing silence, keeping `padMs` around the speech. */
export function trimSilence(pcm: Pcm, threshold = 400, padMs = 40): Pcm {
  const s = pcm.samples;
  let a = 0;
  while (a < s.length && Math.abs(s[a]) < threshold) a++;
  let b = s.length - 1;
  while (b > a && Math.abs(s[b]) < threshold) b--;
  if (a >= b) return pcm;
  const pad = Math.round((pcm.sampleRate * padMs) / 1000);
  return { sampleRate: pcm.sampleRate, samples: s.slice(Math.max(0, a - pad), Math.min(s.length, b + pad + 1)) };
}

export async function readWav(path: string): Promise<Pcm> {
  return decodeWav(await readFile(path));
}

/** Writes a track of `duration` seconds with each clip placed at its start time. */
export async function writeTrack(path: string, clips: { pcm: Pcm; start: number }[], duration: number, sampleRate: number): Promise<void> {
  const out = new Int16Array(Math.ceil(duration * sampleRate));
  for (const { pcm, start } of clips) {
    if (pcm.sampleRate !== sampleRate) throw new Error(`clip sample rate ${pcm.sampleRate} differs from ${sampleRate}`);
    const offset = Math.round(start * sampleRate);
    out.set(pcm.samples.subarray(0, Math.max(0, Math.min(pcm.samples.length, out.length - offset))), offset);
  }
  await writeFile(path, encodeWav({ sampleRate, samples: out }));
}
