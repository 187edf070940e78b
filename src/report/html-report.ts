import { DEVICE_KIND_NAMES } from '../device/device-info.ts';
import { groupedRows } from './checks.ts';
import { reportFigures, sizeTable } from './figures.ts';
import { chartGrid, deviceCard, html, renderPage, verdictTable, type TrustedHtml } from './html.ts';
import { firmwareLine } from './firmware-line.ts';
import { deadlineLine } from './deadline-line.ts';
import type { Report } from './schema.ts';
import { workClockSection } from './work-clock-html.ts';

/** index.html: one self-contained page, readable offline, every device string escaped. */
export async function renderReportHtml(report: Report): Promise<string> {
  const d = report.device;
  const caps = d.capabilities;
  const card = deviceCard({
    title: `${capitalise(DEVICE_KIND_NAMES[caps.kind])}: ${d.description}`,
    fields: [
      ['Firmware', `MicroPython ${d.firmware.version} on ${d.firmware.machine}`],
      ...(d.firmware.buildString ? [['Build', d.firmware.buildString] as const] : []),
      ...(d.firmware.build ? [['Board build', d.firmware.build] as const] : []),
      ...(report.options.firmwareLabel ? [['Firmware label', report.options.firmwareLabel] as const] : []),
      ['GC heap', `${d.heapTotal} B = ${d.heapTotal / 16} blocks of 16 B`],
      ['gc.threshold() at start', String(d.thresholdDefault)],
      ...(d.uniqueId ? [['Unique id', d.uniqueId] as const] : []),
      ...(d.serialNumber ? [['USB serial', d.serialNumber] as const] : []),
      ...(report.board ? [['Board', `${report.board.label} (id ${report.board.id})`] as const] : []),
      ...(report.firmware ? [['Image under test', firmwareLine(report.firmware)] as const] : []),
      ['Exec mode', d.pasteMode ?? 'unknown'],
      ...(deadlineLine(report) ? [['Deadlines', deadlineLine(report)!] as const] : []),
      [
        'Run',
        `${report.runId} (${report.options.profile} profile), ${report.startedAt} → ${report.finishedAt}`,
      ],
      [
        'Host',
        `${report.host.hostname}, Node ${report.host.node}, ${report.host.platform}, picogc ${report.tool.version}`,
      ],
    ],
    capabilities: [
      { name: 'collects inside a script', supported: !caps.deferredCollect },
      { name: 'MemoryError when the heap is full', supported: !caps.heapGrows },
      {
        name: 'pauses timed on the device',
        supported: caps.collectTiming === 'ticks_us',
        ...(caps.collectTiming === 'ticks_us'
          ? {}
          : {
              note:
                caps.collectTiming === 'work-clock'
                  ? 'work clock: counted VM work as an estimate of Pico time'
                  : 'timed on the host',
            }),
      },
      { name: 'µs ticks_us', supported: caps.ticksUsResolutionUs === 1 },
      { name: 'single-precision floats (as a Pico)', supported: caps.floatBits === 32 },
      { name: 'Ctrl-C keeps state', supported: !caps.interruptResetsVm },
    ],
  });
  const differences =
    caps.differences.length === 0
      ? html``
      : html`<section class="card">
          <h2>How this device differs from a Pico</h2>
          <ul>
            ${caps.differences.map((text) => html`<li>${text}</li>`)}
          </ul>
        </section>`;
  const body = html`
    <p class="verdict verdict-${report.verdict}">Verdict: <strong>${report.verdict}</strong></p>
    ${card} ${differences} ${recoverySection(report)} ${verdictTable(groupedRows(report))}
    ${chartGrid(await reportFigures(report))} ${workClockSection(report)} ${sizeTable(report)}
    ${deviceOutput(report)}
  `;
  return renderPage({
    title: `picogc run ${report.runId}`,
    body,
    footer: `picogc ${report.tool.version}, report schema ${report.schema}`,
  });
}

/** Every rung of the recovery ladder the run took, and what it could not run. */
function recoverySection(report: Report): TrustedHtml {
  if (!report.recovery?.length && !report.notRun) return html``;
  return html`<section class="card">
    <h2>Recovery</h2>
    <ul>
      ${(report.recovery ?? []).map(
        (r) =>
          html`<li>
            ${r.at} ${r.experiment}: <strong>${r.rung}</strong> ${r.ok ? '✓' : '✗'} ${r.detail}
            (${Math.round(r.ms)} ms)
          </li>`,
      )}
    </ul>
    ${report.notRun ? html`<p>Not run: ${report.notRun.experiments.join(', ')} — ${report.notRun.reason}</p>` : ''}
  </section>`;
}

/** What the device printed besides data, per experiment: shown as text, whatever it contains. */
function deviceOutput(report: Report): TrustedHtml {
  const logs = report.experiments.filter((e) => e.log.length > 0);
  if (logs.length === 0) return html``;
  return html`<section class="card device-output">
    <h2>Device output</h2>
    ${logs.map(
      (e) =>
        html`<details open>
          <summary>${e.id}: ${e.log.length} line${e.log.length === 1 ? '' : 's'}</summary>
          <pre style="white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0 0">
${e.log.join('\n')}</pre>
        </details>`,
    )}
  </section>`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
