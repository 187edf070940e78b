import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportSchema } from '../src/report/schema.ts';

/**
 * Hold two runs of the same suite against each other, sample by sample: the check verdicts, and every
 * timed sample (a field `us`) in the order it was taken, with the largest relative difference. Made
 * for issue 14's proof: `picogc run --quick --device emu` with the real boot ROM (`--bootrom`) and
 * with picogc's written one must agree within 1% on every pause.
 *
 *   npx tsx scripts/compare-rom-runs.ts RUN_DIR_A RUN_DIR_B     (each a run directory with report.json)
 */
const [a, b] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write('usage: npx tsx scripts/compare-rom-runs.ts RUN_DIR_A RUN_DIR_B\n');
  process.exit(2);
}
const load = (dir: string) => reportSchema.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
const [left, right] = [load(a), load(b)];
process.stdout.write(`A: ${left.device.description}\nB: ${right.device.description}\n`);
process.stdout.write(`verdict: A ${left.verdict}, B ${right.verdict}\n`);
let worst = 0;
let differentVerdicts = 0;
for (const [i, ea] of left.experiments.entries()) {
  const eb = right.experiments[i];
  if (!eb || eb.id !== ea.id) throw new Error(`experiment ${i}: ${ea.id} vs ${eb?.id ?? 'none'}`);
  const timed = (samples: unknown[]) =>
    samples.filter((s): s is { us: number } => typeof (s as { us?: unknown }).us === 'number');
  const [ta, tb] = [timed(ea.samples), timed(eb.samples)];
  // Untimed samples (object sizes, heap maps, cadences) must be identical.
  const untimed = (samples: unknown[]) =>
    samples.filter((x) => typeof (x as { us?: unknown }).us !== 'number').map((x) => JSON.stringify(x));
  const [ua, ub] = [untimed(ea.samples), untimed(eb.samples)];
  const identical = ua.filter((x, k) => x === ub[k]).length;
  let expWorst = 0;
  let sumA = 0;
  let sumB = 0;
  ta.forEach((s, k) => {
    const other = tb[k]?.us ?? NaN;
    sumA += s.us;
    sumB += other;
    const rel = s.us === 0 ? Math.abs(other) : Math.abs(other - s.us) / s.us;
    expWorst = Math.max(expWorst, rel);
  });
  worst = Math.max(worst, expWorst);
  const checks = ea.checks.map((c, k) => {
    const same = eb.checks[k]?.status === c.status;
    if (!same) differentVerdicts++;
    return `${c.status}${same ? '' : `≠${eb.checks[k]?.status}`}`;
  });
  process.stdout.write(
    `${ea.id}: ${ta.length}/${tb.length} timed samples, sum ${sumA} vs ${sumB} µs (${(((sumB - sumA) / (sumA || 1)) * 100).toFixed(3)}%), ` +
      `largest sample difference ${(expWorst * 100).toFixed(3)}%; untimed samples identical ${identical}/${ua.length} (B has ${ub.length}); checks ${checks.join(',')}\n`,
  );
}
process.stdout.write(
  `largest difference of one timed sample: ${(worst * 100).toFixed(3)}%; differing check verdicts: ${differentVerdicts}\n`,
);
