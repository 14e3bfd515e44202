/**
 * The reference for transition shaders: the same gl-transitions GLSL drawn by a real GL
 * implementation, WebGL in headless Chromium (Debian's package, SwiftShader), driven by
 * playwright-core. Frames are RGB24, rows from the top; GL's y axis points up, so images are
 * uploaded bottom row first and read back the same way, exactly like a video frame shown on a GL
 * surface.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** The in-page WebGL code, plain JS (loaded as text so that no build step rewrites it). */
const PAGE_SCRIPT = readFileSync(join(import.meta.dirname, 'gl-reference.page.js'), 'utf8');

export interface ReferenceJob {
  glsl: string;
  /** Uniform name → value (numbers, booleans or arrays), with GLSL types. */
  params: Record<string, number | boolean | number[]>;
  types: Record<string, string>;
  textures: Record<string, { d: Uint8Array; w: number; h: number }>;
}

export class GlReference {
  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<GlReference> {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
    });
    return new GlReference(browser);
  }

  async close() {
    await this.browser.close();
  }

  /** Draws `job` at each progress over frames `from`/`to` of W×H; returns RGB24 frames (top row first). */
  async draw(job: ReferenceJob, W: number, H: number, from: Uint8Array, to: Uint8Array, progresses: number[]): Promise<Uint8Array[]> {
    const page = await this.browser.newPage();
    try {
      const b64 = (a: Uint8Array) => Buffer.from(a).toString('base64');
      const textures = Object.fromEntries(Object.entries(job.textures).map(([k, t]) => [k, { d: b64(t.d), w: t.w, h: t.h }]));
      await page.addScriptTag({ content: PAGE_SCRIPT });
      const args = { glsl: job.glsl, params: job.params, types: job.types, textures, W, H, from: b64(from), to: b64(to), progresses };
      const out = (await page.evaluate(`window.drawTransition(${JSON.stringify(args)})`)) as string[];
      return out.map((s) => new Uint8Array(Buffer.from(s, 'base64')));
    } finally {
      await page.close();
    }
  }
}

/** PSNR of two RGB24 frames, dB (Infinity when identical). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    se += d * d;
  }
  const mse = se / a.length;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / mse);
}

/** A frame turned upside down (rows reversed). */
export function flipRows(a: Uint8Array, W: number, H: number): Uint8Array {
  const out = new Uint8Array(a.length);
  const row = W * 3;
  for (let y = 0; y < H; y++) out.set(a.subarray((H - 1 - y) * row, (H - y) * row), y * row);
  return out;
}
