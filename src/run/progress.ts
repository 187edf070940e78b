import cliProgress from 'cli-progress';

/** What the runner reports while it works; one implementation per kind of terminal. */
export interface Progress {
  start(experiment: string, total: number): void;
  step(experiment: string, label: string): void;
  finish(experiment: string, status: string): void;
  /** A line of information (retries, notices) that must not tear the bars. */
  note(text: string): void;
  stop(): void;
}

/**
 * A bar per experiment on an interactive terminal; plain lines when piped or in CI, so logs stay
 * readable. Everything goes to stderr: stdout is kept for results (`--json`).
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = stream.isTTY === true && !process.env.CI;
  return interactive ? barProgress(stream) : lineProgress(stream);
}

function lineProgress(stream: NodeJS.WritableStream): Progress {
  const done = new Map<string, { n: number; total: number }>();
  return {
    start(experiment, total) {
      done.set(experiment, { n: 0, total });
      stream.write(`${experiment}: started (${total} steps)\n`);
    },
    step(experiment, label) {
      const state = done.get(experiment);
      if (!state) return;
      state.n += 1;
      stream.write(`${experiment}: ${state.n}/${state.total} ${label}\n`);
    },
    finish(experiment, status) {
      stream.write(`${experiment}: ${status}\n`);
    },
    note(text) {
      stream.write(`${text}\n`);
    },
    stop() {},
  };
}

function barProgress(stream: NodeJS.WriteStream): Progress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: ' {experiment} |{bar}| {value}/{total} {label}',
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    start(experiment, total) {
      bars.set(experiment, multi.create(total, 0, { experiment: experiment.padEnd(22), label: '' }));
    },
    step(experiment, label) {
      bars.get(experiment)?.increment({ label });
    },
    finish(experiment, status) {
      const bar = bars.get(experiment);
      bar?.update(bar.getTotal(), { label: status });
      bar?.stop();
    },
    note(text) {
      multi.log(`${text}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}
