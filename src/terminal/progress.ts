import cliProgress from 'cli-progress';
import { readSetting } from '../config/settings.ts';

export interface Progress {
  update(done: number, total: number, detail: string): void;
  stop(): void;
}

/** A progress bar on a terminal; on a pipe or in CI, a plain line every `lineEvery` items and at the end. */
export function createProgress(
  label: string,
  options: { lineEvery?: number; stream?: NodeJS.WriteStream } = {},
): Progress {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY && readSetting(process.env, 'ci') !== true) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {detail}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, detail) {
        if (!started) {
          bar.start(total, done, { detail });
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(done, { detail });
        }
      },
      stop: () => bar.stop(),
    };
  }
  const every = options.lineEvery ?? 1000;
  let lastPrinted = -1;
  return {
    update(done, total, detail) {
      if (done === lastPrinted) return;
      if (done === 0 || done === total || Math.floor(done / every) !== Math.floor(lastPrinted / every)) {
        stream.write(`${label}: ${done}/${total} ${detail}\n`);
        lastPrinted = done;
      }
    },
    stop: () => undefined,
  };
}
