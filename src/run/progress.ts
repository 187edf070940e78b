import cliProgress from 'cli-progress';

/** What the runner reports while it works; one implementation per kind of terminal. */
export interface Progress {
  start(experiment: string, total: number): void;
  step(experiment: string, label: string): void;
  /** The experiment starts over (a retry after a soft reset): its steps are counted from 0 again. */
  restart(experiment: string, attempt: number): void;
  finish(experiment: string, status: string): void;
  /** A line of information (retries, notices) that must not tear the bars. */
  note(text: string): void;
  stop(): void;
}

/**
 * A bar per experiment on an interactive terminal; plain lines when piped or in CI, so logs stay
 * readable. Everything goes to stderr: stdout is kept for results (`--json`).
 */
export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  options: { prefix?: string } = {},
): Progress {
  // Several boards at once write plain lines, each tagged with its board: bars would interleave.
  if (options.prefix !== undefined) return lineProgress(stream, options.prefix);
  const interactive = stream.isTTY === true && !process.env.CI;
  return interactive ? barProgress(stream) : lineProgress(stream);
}

function lineProgress(stream: NodeJS.WritableStream, prefix = ''): Progress {
  const done = new Map<string, { n: number; total: number }>();
  const write = (text: string) => stream.write(`${prefix}${text}\n`);
  return {
    start(experiment, total) {
      done.set(experiment, { n: 0, total });
      write(`${experiment}: started (${total} steps)`);
    },
    step(experiment, label) {
      const state = done.get(experiment);
      if (!state) return;
      state.n += 1;
      write(`${experiment}: ${state.n}/${state.total} ${label}`);
    },
    restart(experiment, attempt) {
      const state = done.get(experiment);
      if (!state) return;
      state.n = 0;
      write(`${experiment}: attempt ${attempt}, started again (${state.total} steps)`);
    },
    finish(experiment, status) {
      write(`${experiment}: ${status}`);
    },
    note(text) {
      write(text);
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
    restart(experiment, attempt) {
      bars.get(experiment)?.update(0, { label: `attempt ${attempt}` });
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

/** A progress that says nothing: for benchmarks and tests that watch the results, not the bars. */
export const silentProgress: Progress = {
  start() {},
  step() {},
  restart() {},
  finish() {},
  note() {},
  stop() {},
};
