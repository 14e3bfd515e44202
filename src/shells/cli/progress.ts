/** Progress display: bars on a terminal, plain lines otherwise. */
import cliProgress from 'cli-progress';
import type { ProduceEvent } from '../../batch/produce.js';

export function progressReporter(count: number): { event: (e: ProduceEvent) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    return {
      event: (e) => {
        if (e.type === 'stage') process.stderr.write(`${e.stage}…\n`);
        else if (e.type === 'output-retry') process.stderr.write(`output ${e.index}: ${e.error.message}; trying again (${e.attempt})\n`);
        else if (e.type === 'output-done')
          process.stderr.write(e.error ? `output ${e.index} failed: ${e.error.message}\n` : `output ${e.index} done: ${e.file}\n`);
      },
      stop: () => {},
    };
  }
  const multi = new cliProgress.MultiBar(
    { format: ' {name} |{bar}| {percentage}% {status}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<number, cliProgress.SingleBar>();
  const bar = (i: number) => {
    let b = bars.get(i);
    if (!b) {
      b = multi.create(100, 0, { name: `video ${String(i).padStart(String(count - 1).length)}`, status: '' });
      bars.set(i, b);
    }
    return b;
  };
  return {
    event: (e) => {
      if (e.type === 'stage') multi.log(`${e.stage}…\n`);
      else if (e.type === 'output-start') bar(e.index).update(0, { status: 'rendering' });
      else if (e.type === 'output-progress') bar(e.index).update(Math.round(e.fraction * 100));
      else if (e.type === 'output-retry') bar(e.index).update(0, { status: `retry ${e.attempt}` });
      else if (e.type === 'output-done')
        bar(e.index).update(e.error ? bar(e.index).getProgress() * 100 : 100, { status: e.error ? `failed: ${e.error.code}` : 'done' });
    },
    stop: () => multi.stop(),
  };
}
