import { formatNumber } from '../format.ts';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { renderSvg } from '../report/charts/render.ts';
import { trendSpec, type TrendPoint } from '../report/charts/trend.ts';
import { chartFigure, chartGrid, html, renderPage, trustedSvg, type TrustedHtml } from '../report/html.ts';
import { TOOL_VERSION } from '../version.ts';
import { resolveReportDir } from './from-report.ts';
import { describeStep } from './history-table.ts';
import { HISTORY_SCHEMA } from './schema.ts';
import { formatHistoryWarning, readHistory, type HistoryWarning } from './store.ts';
import { historyTrends, type MetricTrend, type TrendOptions, type TrendStep } from './trends.ts';

export interface TrendPageOptions extends TrendOptions {
  /** Default `index.html`. */
  fileName?: string;
  title?: string;
}

export interface TrendPageStep extends TrendStep {
  device: string;
  metric: string;
  unit: string;
}

export interface TrendPageResult {
  /** The page written. */
  file: string;
  /** Every step detected, board by board, metric by metric. */
  steps: TrendPageStep[];
  /** Lines of the history that were skipped (damaged, another schema). */
  warnings: HistoryWarning[];
  trends: MetricTrend[];
}

/**
 * The trend page of a history: one chart per metric and board across runs, points coloured by the
 * firmware label, each detected step drawn as a dashed rule before the first run at the new level,
 * and each point linking to its run's report when that run directory still exists. Self-contained
 * and under the same rules as the run report (CSP without scripts, every device string escaped,
 * inline SVG from report/charts/). `picogc report --history PATH --out DIR` and `picogc nightly` write it.
 */
export async function writeTrendPage(
  historyPath: string,
  outDir: string,
  options: TrendPageOptions = {},
): Promise<TrendPageResult> {
  const { records, warnings } = await readHistory(historyPath);
  const trends = historyTrends(records, options);
  const file = join(outDir, options.fileName ?? 'index.html');
  const steps = trends.flatMap((t) =>
    t.steps.map((s) => ({ ...s, device: t.device, metric: t.metric, unit: t.unit })),
  );
  const link = (reportDir: string | undefined): string | undefined => {
    if (!reportDir) return undefined;
    const dir = resolveReportDir(historyPath, reportDir);
    const page = join(dir, 'index.html');
    if (!existsSync(page)) return undefined;
    return relative(resolve(outDir), page).split(sep).map(encodeURIComponent).join('/');
  };

  const boards = [...new Set(trends.map((t) => t.device))];
  const sections: TrustedHtml[] = [];
  for (const board of boards) {
    const mine = trends.filter((t) => t.device === board);
    const figures: TrustedHtml[] = [];
    for (const trend of mine) figures.push(await trendFigure(trend, link));
    const first = mine[0]!;
    sections.push(
      html`<section class="board">
        <h2>Board ${board}${first.deviceLabel ? html` <small>(${first.deviceLabel})</small>` : ''}</h2>
        <p>${plural(first.runsInWindow, 'run')}; firmware: ${firmwares(mine).join(', ')}</p>
        ${chartGrid(figures)}
      </section>`,
    );
  }

  const body = html`
    <section class="card">
      <h2>History</h2>
      <p>
        ${plural(records.length, 'run')} on ${plural(new Set(records.map((r) => r.device.id)).size, 'board')}
        from
        <code>${historyPath}</code>${
          options.window !== undefined ? html`, the latest ${options.window} runs of each board` : ''
        }.
        Points are each run's median with its 95% interval, coloured by firmware; a red dashed rule marks a
        detected step (asv-style step detection, steps under ${options.minStepPercent ?? 5}% ignored). Click a
        point to open its run's report.
      </p>
      ${
        warnings.length > 0
          ? html`<p><strong>${warnings.length} lines of the history were skipped:</strong></p>
              <ul>
                ${warnings.slice(0, 20).map((w) => html`<li>${formatHistoryWarning(historyPath, w)}</li>`)}
              </ul>`
          : ''
      }
    </section>
    ${stepTable(steps, trends, link)} ${sections}
  `;
  const page = renderPage({
    title: options.title ?? 'picogc history',
    body,
    footer: `picogc ${TOOL_VERSION}, history schema ${HISTORY_SCHEMA}`,
  });
  await mkdir(outDir, { recursive: true });
  await writeFile(file, page);
  return { file, steps, warnings, trends };
}

async function trendFigure(
  trend: MetricTrend,
  link: (reportDir: string | undefined) => string | undefined,
): Promise<TrustedHtml> {
  const points: TrendPoint[] = trend.runs.map((r) => {
    const href = link(r.reportDir);
    return {
      run: r.run,
      value: r.median,
      ...(r.low !== undefined ? { low: r.low } : {}),
      ...(r.high !== undefined ? { high: r.high } : {}),
      label: r.firmware,
      ...(href ? { href } : {}),
    };
  });
  const svg = await renderSvg(
    trendSpec({
      metric: trend.metric,
      unit: trend.unit,
      points,
      steps: trend.steps.map((s) => ({ run: s.run, label: stepLabel(s) })),
    }),
  );
  const chart = trustedSvg(svg);
  const caption =
    trend.steps.length === 0
      ? `no step in ${trend.runs.length} runs (noise scale ${trend.noiseUnit === '%' ? `${trend.noise.toFixed(1)}%` : `${formatNumber(trend.noise)} ${trend.noiseUnit}`})`
      : trend.steps.map((s) => describeStep(s, trend.unit)).join('; ');
  return chartFigure(trend.metric, chart, caption);
}

function stepTable(
  steps: readonly TrendPageStep[],
  trends: readonly MetricTrend[],
  link: (reportDir: string | undefined) => string | undefined,
): TrustedHtml {
  if (steps.length === 0) {
    return html`<section class="card">
      <h2>Detected steps</h2>
      <p>No step in ${trends.length} trends.</p>
    </section>`;
  }
  const dirOf = (step: TrendPageStep) =>
    trends
      .find((t) => t.device === step.device && t.metric === step.metric)
      ?.runs.find((r) => r.run === step.run)?.reportDir;
  return html`<section class="card">
    <table class="verdicts">
      <caption>
        Detected steps: ${steps.length}
      </caption>
      <thead>
        <tr>
          <th>Board</th>
          <th>Metric</th>
          <th>First run at the new level</th>
          <th>Firmware</th>
          <th>Before → after</th>
          <th>Change</th>
        </tr>
      </thead>
      <tbody>
        ${steps.map((s) => {
          const href = link(dirOf(s));
          const run = html`run ${s.run} (${s.runId})`;
          return html`<tr class="${s.direction === 'up' ? 'row-fail' : 'row-pass'}">
            <td>${s.device}</td>
            <td>${s.metric}</td>
            <td>${href ? html`<a href="${href}">${run}</a>` : run}</td>
            <td>${s.firmware}</td>
            <td>${formatNumber(s.before)} → ${formatNumber(s.after)} ${s.unit}</td>
            <td>${stepLabel(s)}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}

function stepLabel(step: TrendStep): string {
  const pct = Number.isFinite(step.changePercent)
    ? `${step.changePercent >= 0 ? '+' : ''}${step.changePercent.toFixed(0)}%`
    : step.direction;
  return `${pct} at run ${step.run}`;
}

function firmwares(trends: readonly MetricTrend[]): string[] {
  return [...new Set(trends.flatMap((t) => t.runs.map((r) => r.firmware)))];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
