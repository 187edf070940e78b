import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileInChromium } from './chromium.ts';

/**
 * Screenshots of a run's index.html in real headless Chromium, for the README:
 * `tsx test/support/screenshot.ts RUN_DIR [OUT_DIR]` writes OUT_DIR/report.png (the full page) and
 * OUT_DIR/report-charts.png (the chart grid). OUT_DIR defaults to docs/.
 */
export async function screenshotReport(runDir: string, outDir: string): Promise<string[]> {
  const opened = await openFileInChromium(join(runDir, 'index.html'), {
    viewport: { width: 1280, height: 900 },
  });
  try {
    const problems = opened.failures();
    if (problems.length > 0) throw new Error(`the report did not load cleanly: ${problems.join('; ')}`);
    const full = join(outDir, 'report.png');
    const charts = join(outDir, 'report-charts.png');
    await opened.screenshot(full, { fullPage: true });
    await opened.page.locator('section.charts').screenshot({ path: charts, animations: 'disabled' });
    return [full, charts];
  } finally {
    await opened.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [runDir, outDir = 'docs'] = process.argv.slice(2);
  if (!runDir) {
    process.stderr.write('usage: tsx test/support/screenshot.ts RUN_DIR [OUT_DIR]\n');
    process.exit(2);
  }
  for (const file of await screenshotReport(runDir, outDir)) process.stdout.write(`wrote ${file}\n`);
}
