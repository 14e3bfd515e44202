/** What the installed FFmpeg can do, detected once instead of assumed. */
import { ReelsmithError } from '../errors.js';
import { runTool } from '../util/tool.js';

export interface Capabilities {
  version: string;
  filters: Set<string>;
  encoders: Set<string>;
}

let cached: Promise<Capabilities> | undefined;

const REQUIRED_FILTERS = ['ass', 'xfade', 'gblur', 'vstack', 'hstack', 'overlay', 'amix', 'concat', 'loop', 'afade'];
const REQUIRED_ENCODERS = ['libx264', 'aac'];

export function capabilities(): Promise<Capabilities> {
  cached ??= (async () => {
    let version = '';
    try {
      version = (await runTool('ffmpeg', ['-hide_banner', '-version'])).stdout.split('\n')[0];
    } catch {
      throw new ReelsmithError(
        'RenderFailed',
        'ffmpeg is not installed or not on PATH (install it with your package manager, e.g. apt-get install ffmpeg)',
      );
    }
    const names = (text: string) =>
      new Set(
        text
          .split('\n')
          .map((l) => l.trim().split(/\s+/)[1])
          .filter(Boolean),
      );
    const filters = names((await runTool('ffmpeg', ['-hide_banner', '-filters'])).stdout);
    const encoders = names((await runTool('ffmpeg', ['-hide_banner', '-encoders'])).stdout);
    const missing = [...REQUIRED_FILTERS.filter((f) => !filters.has(f)), ...REQUIRED_ENCODERS.filter((e) => !encoders.has(e))];
    if (missing.length > 0) throw new ReelsmithError('RenderFailed', `the installed FFmpeg (${version}) lacks ${missing.join(', ')}`);
    return { version, filters, encoders };
  })();
  return cached;
}
