import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { quantile } from 'simple-statistics';
import type { BenchModule } from './bench-module.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/picogc.js', import.meta.url));
const RUNS = 15;
const WARMUP = 2;

/** What a user waits for: a whole `picogc` process, from the shell's fork to its exit. */
const COMMANDS = [
  { name: 'help', args: ['--help'], targetMs: 200 },
  { name: 'execSim', args: ['exec', '--device', 'sim', 'print(1)'], targetMs: 500 },
] as const;

/**
 * Start-up time of picogc: `picogc --help` and `picogc exec --device sim "print(1)"` as processes,
 * run from dist/ (what `npm ci` builds and bin/picogc.js runs) and from the sources through tsx
 * (PICOGC_FROM_SOURCE=1: what ran before the build, and what runs when dist/ is stale), the two
 * interleaved run by run. Wall time per process, and its CPU time where /proc says (Linux), which a
 * loaded host moves less; `node -e 0` is the floor. The host's load average is recorded with them.
 */
export const startupBench: BenchModule = {
  name: 'startup',
  run() {
    execFileSync(
      process.execPath,
      [fileURLToPath(new URL('../scripts/build.js', import.meta.url)), '--if-stale'],
      {
        stdio: 'inherit',
      },
    );
    const load = loadavg()[0]!;
    const floor = measure([process.execPath, '-e', '0'], {});
    const results: Record<string, unknown> = {};
    for (const command of COMMANDS) {
      const samples = { dist: [] as Sample[], source: [] as Sample[] };
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const dist = time([process.execPath, BIN, ...command.args], {});
        const source = time([process.execPath, BIN, ...command.args], { PICOGC_FROM_SOURCE: '1' });
        if (i < WARMUP) continue;
        samples.dist.push(dist);
        samples.source.push(source);
      }
      const dist = summary(samples.dist);
      results[command.name] = {
        command: `picogc ${command.args.map((a) => (a.includes(' ') || a.includes('(') ? `"${a}"` : a)).join(' ')}`,
        dist,
        source: summary(samples.source),
        targetMs: command.targetMs,
        meetsTarget: dist.wallMs.median <= command.targetMs,
      };
    }
    return Promise.resolve({
      runs: RUNS,
      loadAverage1m: Math.round(load * 100) / 100,
      cpuCount: availableParallelism(),
      nodeFloor: floor,
      ...results,
    });
  },
};

interface Sample {
  wallMs: number;
  cpuMs: number | null;
}

function measure(argv: string[], env: NodeJS.ProcessEnv) {
  const samples: Sample[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const sample = time(argv, env);
    if (i >= WARMUP) samples.push(sample);
  }
  return summary(samples);
}

function time([command, ...args]: string[], env: NodeJS.ProcessEnv): Sample {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(command!, args, {
    cwd: ROOT,
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const wallMs = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.toString().slice(-500)}`);
  }
  const cpuAfter = childrenCpuMs();
  return { wallMs, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore };
}

/** CPU time (user + system) of this process's waited-for children, from /proc (USER_HZ = 100), or null. */
function childrenCpuMs(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces): cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / 100;
}

function summary(samples: Sample[]) {
  const wall = samples.map((s) => s.wallMs);
  const cpu = samples.flatMap((s) => (s.cpuMs === null ? [] : [s.cpuMs]));
  return {
    wallMs: {
      median: round(quantile(wall, 0.5)),
      p10: round(quantile(wall, 0.1)),
      p90: round(quantile(wall, 0.9)),
    },
    ...(cpu.length > 0 ? { cpuMs: { median: round(quantile(cpu, 0.5)) } } : {}),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
