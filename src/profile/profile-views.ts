import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNumber, formatUs } from '../format.ts';
import { chartFigure, chartGrid, html, renderPage, type TrustedHtml } from '../report/html.ts';
import { renderChart } from '../report/charts/render.ts';
import { freeRunSpec, heapSpec } from './profile-charts.ts';
import { md } from '../report/markdown.ts';
import type { ProfileReport } from './profile-report-schema.ts';
import { renderProfileJUnit } from './profile-junit.ts';
import { profileLines } from './profile-text.ts';

/**
 * The views of a profile's report.json: index.html (the report shell of `run`: self-contained,
 * strict CSP, every device string escaped by the `html` template), summary.md (device text
 * through `md`, so a mark name or a printed line can never become markup) and junit.xml. They are
 * a pure function of report.json, so `picogc report` rebuilds them byte for byte.
 */

/** report.json and its views. */
export async function writeProfileViews(report: ProfileReport, dir: string): Promise<void> {
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeProfileViewFiles(report, dir);
}

/** The views alone, next to the report.json they are drawn from. */
export async function writeProfileViewFiles(report: ProfileReport, dir: string): Promise<void> {
  writeFileSync(join(dir, 'index.html'), await profileHtml(report));
  writeFileSync(join(dir, 'summary.md'), profileMarkdown(report));
  writeFileSync(join(dir, 'junit.xml'), renderProfileJUnit(report));
}

export function profileMarkdown(report: ProfileReport): string {
  const lines = [`# picogc profile: ${md(report.program)}`, ''];
  for (const l of profileLines(report))
    lines.push(l.label ? `- **${md(l.label)}** ${md(l.text)}` : `  - ${md(l.text)}`);
  if (report.log.length > 0) {
    lines.push('', '## The program’s output', '');
    for (const text of report.log.slice(0, 200))
      lines.push(`    ${text.replace(/[\u0000-\u001f\u007f]/g, '?')}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function profileHtml(report: ProfileReport): Promise<string> {
  const c = report.collections;
  const charts: TrustedHtml[] = [];
  const specs = [
    ['Heap', heapSpec(report)],
    ['Fragmentation', freeRunSpec(report)],
  ] as const;
  for (const [title, spec] of specs) if (spec) charts.push(chartFigure(title, await renderChart(spec)));
  const body = html`
    <section>
      <h2>Summary</h2>
      <table>
        ${profileLines(report).map(
          (l) =>
            html`<tr>
              <th>${l.label}</th>
              <td>${l.text}</td>
            </tr>`,
        )}
      </table>
    </section>
    ${charts.length > 0 ? chartGrid(charts) : ''}
    ${report.allocation ? allocationTable(report.allocation.series) : ''}
    ${
      c.events.length > 0
        ? html`<section>
            <h2>Collections</h2>
            <table>
              <tr>
                <th>t (s)</th>
                <th>freed (B)</th>
                <th>stall</th>
                <th></th>
              </tr>
              ${c.events.map(
                (e) =>
                  html`<tr>
                    <td>${formatNumber(e.t / 1e6)}</td>
                    <td>${formatNumber(e.freedBytes)}</td>
                    <td>${e.stallUs === null ? '—' : formatUs(e.stallUs)}</td>
                    <td>${e.inFlush ? 'inside a flush of the probe: stall not separable' : ''}</td>
                  </tr>`,
              )}
            </table>
            ${histogramTable(c.histogram)}
          </section>`
        : ''
    }
    ${report.marks.length > 0 ? marksTable(report) : ''}
    ${
      report.freeRuns.length > 0
        ? html`<section>
            <h2>Longest free run over time</h2>
            <table>
              <tr>
                <th>t (s)</th>
                <th>longest free run (B)</th>
                <th>free (B)</th>
              </tr>
              ${report.freeRuns.map(
                (f) =>
                  html`<tr>
                    <td>${formatNumber(f.tUs / 1e6)}</td>
                    <td>${formatNumber(f.maxFreeBytes)}</td>
                    <td>${f.freeBytes === undefined ? '—' : formatNumber(f.freeBytes)}</td>
                  </tr>`,
              )}
            </table>
          </section>`
        : ''
    }
    ${
      report.advice
        ? html`<section>
            <h2>Advice: ${report.advice.title}</h2>
            <p>${report.advice.because}</p>
            <pre>${report.advice.code.join('\n')}</pre>
            <pre>${[...report.advice.inputs, '', ...report.advice.lines].join('\n')}</pre>
          </section>`
        : ''
    }
    ${
      report.log.length > 0
        ? html`<section>
            <h2>The program’s output</h2>
            <pre>${report.log.join('\n')}</pre>
          </section>`
        : ''
    }
  `;
  return renderPage({
    title: `picogc profile: ${report.program}`,
    body,
    footer: `picogc ${report.picogcVersion}, ${report.format}, run ${report.runId}`,
  });
}

function allocationTable(series: NonNullable<ProfileReport['allocation']>['series']): TrustedHtml {
  return html`<section>
    <h2>Allocation rate over time</h2>
    <table>
      <tr>
        <th>from t (s)</th>
        <th>R (B/s)</th>
      </tr>
      ${series.map(
        (p) =>
          html`<tr>
            <td>${formatNumber(p.tUs / 1e6)}</td>
            <td>${formatNumber(p.bytesPerSecond)}</td>
          </tr>`,
      )}
    </table>
  </section>`;
}

function histogramTable(bins: ProfileReport['collections']['histogram']): TrustedHtml | string {
  if (bins.length === 0) return '';
  return html`<h3>Stall histogram</h3>
    <table>
      <tr>
        <th>stall (µs)</th>
        <th>collections</th>
      </tr>
      ${bins.map(
        (b) =>
          html`<tr>
            <td>${b.fromUs}–${b.toUs}</td>
            <td>${b.count}</td>
          </tr>`,
      )}
    </table>`;
}

function marksTable(report: ProfileReport): TrustedHtml {
  return html`<section>
    <h2>Gaps per mark</h2>
    <table>
      <tr>
        <th>mark</th>
        <th>calls</th>
        <th>rate (Hz)</th>
        <th>gap p50</th>
        <th>p99</th>
        <th>max</th>
        <th>B per iteration</th>
      </tr>
      ${report.marks.map(
        (m) =>
          html`<tr>
            <td>${m.name}</td>
            <td>${m.calls}</td>
            <td>${formatNumber(m.rateHz)}</td>
            <td>${m.gapUs ? formatUs(m.gapUs.p50) : '—'}</td>
            <td>${m.gapUs ? formatUs(m.gapUs.p99) : '—'}</td>
            <td>${m.gapUs ? formatUs(m.gapUs.max) : '—'}</td>
            <td>${m.allocPerIteration === undefined ? '—' : formatNumber(m.allocPerIteration)}</td>
          </tr>`,
      )}
    </table>
  </section>`;
}
