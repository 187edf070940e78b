import type { DeviceInfo } from '../../src/device/device-info.ts';
import type { Check, Metric } from '../../src/experiments/experiment.ts';
import { REPORT_SCHEMA, type ExperimentReport, type Report } from '../../src/report/schema.ts';

/**
 * Small, schema-valid reports for unit tests of the readers of report.json (compare, validate,
 * advise, load). Real runs on the virtual Pico are tested elsewhere; these pin edge cases.
 */

export interface SyntheticExperiment {
  id: string;
  metrics?: Metric[];
  checks?: Check[];
  params?: Record<string, unknown>;
  status?: 'completed' | 'failed';
  error?: string;
  summary?: Record<string, unknown>;
  samples?: Record<string, unknown>[];
  log?: string[];
}

export function syntheticReport(
  experiments: SyntheticExperiment[],
  options: {
    runId?: string;
    kind?: 'board' | 'virtual-pico';
    crossChecks?: Check[];
    model?: Record<string, unknown>;
  } = {},
): Report {
  const kind = options.kind ?? 'board';
  const reports: ExperimentReport[] = experiments.map((e) => ({
    id: e.id,
    title: e.id,
    question: `what does ${e.id} show?`,
    params: e.params ?? {},
    status: e.status ?? 'completed',
    attempts: 1,
    ...(e.error ? { error: e.error } : {}),
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    samples: e.samples ?? [],
    log: e.log ?? [],
    summary: e.summary ?? {},
    metrics: e.metrics ?? [],
    checks: e.checks ?? [],
  }));
  const failed = reports.some((r) => r.status === 'failed');
  const checkFailed = [...reports.flatMap((r) => r.checks), ...(options.crossChecks ?? [])].some(
    (c) => c.status === 'fail',
  );
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'picogc', version: '0.1.0' },
    runId: options.runId ?? 'run-1',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:10.000Z',
    host: { node: 'v20', platform: 'linux-x64', hostname: 'bench' },
    options: { profile: 'quick', experiments: experiments.map((e) => e.id) },
    device: syntheticDevice(kind),
    experiments: reports,
    crossChecks: options.crossChecks ?? [],
    model: options.model ?? {},
    verdict: failed ? 'error' : checkFailed ? 'fail' : 'pass',
    exitCode: failed ? 3 : checkFailed ? 1 : 0,
  };
}

/** A board's (or the virtual Pico's) DeviceInfo as picogc records it; `extra` replaces fields. */
export function syntheticDevice(
  kind: 'board' | 'virtual-pico' = 'board',
  extra: Partial<DeviceInfo> = {},
): DeviceInfo {
  return {
    backend: kind === 'board' ? 'serial' : 'sim',
    description: kind === 'board' ? '/dev/ttyACM0' : 'virtual Pico (in-process)',
    firmware: {
      name: 'micropython',
      version: '1.28.0',
      machine: 'Raspberry Pi Pico with RP2040',
      build: 'RPI_PICO',
    },
    heapTotal: 245888,
    thresholdDefault: -1,
    capabilities: {
      kind,
      collectTiming: kind === 'board' ? 'ticks_us' : 'host-timed',
      deferredCollect: kind !== 'board',
      heapGrows: kind !== 'board',
      ticksUsResolutionUs: kind === 'board' ? 1 : 1000,
      floatBits: kind === 'board' ? 32 : 64,
      interruptResetsVm: kind !== 'board',
      differences: [],
    },
    ...extra,
  };
}

export function metric(id: string, values: number[], extra: Partial<Metric> = {}): Metric {
  return { id, title: `title of ${id}`, unit: 'µs', values, better: 'lower', ...extra };
}

/** n values around `center`, spread ±`spread`, deterministic (a fixed pattern, not random). */
export function around(center: number, n = 12, spread = 0.02): number[] {
  return Array.from({ length: n }, (_, i) => center * (1 + spread * (((i * 7) % n) / (n - 1) - 0.5) * 2));
}
