import { selectExperiments } from './index.ts';
import { checkOverrides, parseParamOverride, resolveParams } from './params.ts';

/**
 * Which experiments a run does, with which profile and overrides, checked before any device is
 * touched: a typo in an id or a parameter costs nothing.
 */
export function planSuite(options: { ids?: string[]; quick: boolean; reps?: number; overrides: string[] }) {
  const experiments = selectExperiments(options.ids);
  const overrides = options.overrides.map(parseParamOverride);
  checkOverrides(overrides, experiments);
  const profile = options.quick ? ('quick' as const) : ('default' as const);
  for (const e of experiments) resolveParams(e, profile, options.reps, overrides);
  return {
    experiments,
    profile,
    overrides,
    ...(options.reps !== undefined ? { reps: options.reps } : {}),
  };
}
