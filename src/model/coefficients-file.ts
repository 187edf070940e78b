import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { pauseCoefficientsSchema, type PauseCoefficients } from './pause-cost.ts';

const fittedReportSchema = z.object({
  schema: z.literal('picogc.report/1'),
  model: z.object({ pauseCost: z.object({ coefficients: pauseCoefficientsSchema.strip() }) }),
});

/** `--coefficients FILE`: a run's report.json with a fitted pause-cost model, or the four numbers. */
export function readCoefficients(path: string): PauseCoefficients {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`--coefficients ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`--coefficients ${path}: not JSON (${(error as Error).message})`, { cause: error });
  }
  // A run's report.json carries the coefficients fitted on its device's pauses.
  const report = fittedReportSchema.safeParse(json);
  if (report.success) return report.data.model.pauseCost.coefficients;
  const parsed = pauseCoefficientsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
      .join('; ');
    throw new InputError(
      `--coefficients ${path}: expected a run's report.json with a fitted pause-cost model, or {c0, c_mark, c_sweep, c_rescan} numbers (${problems})`,
    );
  }
  return parsed.data;
}
