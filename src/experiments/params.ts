import { UsageError } from '../errors.ts';
import type { AnyExperiment } from './experiment.ts';

/** `--set pause-vs-live.size=96`: one parameter of one experiment, for this run. */
export interface ParamOverride {
  experiment: string;
  param: string;
  value: unknown;
}

export function parseParamOverride(text: string): ParamOverride {
  const match = /^([a-z0-9-]+)\.([A-Za-z0-9_]+)=(.+)$/.exec(text.trim());
  if (!match)
    throw new UsageError(`--set ${text}: expected EXPERIMENT.PARAM=VALUE, e.g. pause-vs-live.size=96`);
  const [, experiment, param, raw] = match as unknown as [string, string, string, string];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new UsageError(`--set ${text}: the value must be JSON, e.g. 96 or [0,500,2000]`);
  }
  return { experiment, param, value };
}

/**
 * An experiment's parameters for a run: its profile, then `--reps`, then `--set` overrides,
 * validated by the experiment's own schema so a typo is a usage error, not a strange run.
 */
export function resolveParams(
  experiment: AnyExperiment,
  profile: 'default' | 'quick',
  reps: number | undefined,
  overrides: readonly ParamOverride[] = [],
): object {
  const base: Record<string, unknown> = { ...(profile === 'quick' ? experiment.quick : experiment.defaults) };
  if (reps !== undefined && 'reps' in base) base.reps = reps;
  for (const o of overrides.filter((o) => o.experiment === experiment.id)) {
    if (!(o.param in base)) {
      throw new UsageError(
        `--set: ${experiment.id} has no parameter "${o.param}" (it has ${Object.keys(base).join(', ')})`,
      );
    }
    base[o.param] = o.value;
  }
  const parsed = experiment.paramsSchema.safeParse(base);
  if (!parsed.success) {
    throw new UsageError(
      `${experiment.id} parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Every override must name an experiment of the run. */
export function checkOverrides(
  overrides: readonly ParamOverride[],
  experiments: readonly AnyExperiment[],
): void {
  const ids = new Set(experiments.map((e) => e.id));
  const stray = overrides.filter((o) => !ids.has(o.experiment));
  if (stray.length > 0)
    throw new UsageError(
      `--set names experiments not in this run: ${stray.map((o) => o.experiment).join(', ')}`,
    );
}
