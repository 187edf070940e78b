import { mkdirSync, writeFileSync } from 'node:fs';
import type { BenchModule } from './bench-module.ts';
import { falseAlarmBench } from './false-alarm.ts';
import { faultMatrixBench } from './fault-matrix.ts';
import { emuBench } from './emu.ts';
import { modelBench } from './model.ts';
import { profileCostBench } from './profile-cost.ts';
import { quickRepeatBench } from './quick-repeat.ts';
import { recordBench } from './record.ts';
import { replBench } from './repl.ts';
import { startupBench } from './startup.ts';
import { verifyCostBench } from './verify-cost.ts';
import { workClockBench } from './work-clock.ts';

/**
 * `npm run bench`: runs every benchmark module and writes one JSON file per module under
 * reports/bench/. Performance is measured here, never asserted in unit tests.
 */

// PICOGC_BENCH=startup,repl,model runs a subset; the false-alarm study takes minutes (PICOGC_FALSE_ALARM_PAIRS).
const only = process.env.PICOGC_BENCH?.split(',').map((s) => s.trim());
const modules: BenchModule[] = [
  startupBench,
  replBench,
  modelBench,
  recordBench,
  workClockBench,
  quickRepeatBench,
  falseAlarmBench,
  faultMatrixBench,
  verifyCostBench,
  emuBench,
  profileCostBench,
].filter((m) => !only || only.includes(m.name));

const outDir = 'reports/bench';
mkdirSync(outDir, { recursive: true });
for (const module of modules) {
  process.stderr.write(`bench: ${module.name}…\n`);
  const results = await module.run();
  const record = { name: module.name, at: new Date().toISOString(), node: process.version, results };
  writeFileSync(`${outDir}/${module.name}.json`, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(record)}\n`);
}
