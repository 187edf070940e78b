import { checkDetail, checkRows } from './checks.ts';
import { reportFigures, sizeTable } from './figures.ts';
import { chartGrid, deviceCard, html, renderPage, verdictTable } from './html.ts';
import type { Report } from './schema.ts';

/** index.html: one self-contained page, readable offline, every device string escaped. */
export async function renderReportHtml(report: Report): Promise<string> {
  const d = report.device;
  const caps = d.capabilities;
  const card = deviceCard({
    title: `${caps.kind === 'board' ? 'Board' : 'Virtual Pico'}: ${d.description}`,
    fields: [
      ['Firmware', `MicroPython ${d.firmware.version} on ${d.firmware.machine}`],
      ...(d.firmware.buildString ? [['Build', d.firmware.buildString] as const] : []),
      ...(d.firmware.build ? [['Board build', d.firmware.build] as const] : []),
      ...(report.options.firmwareLabel ? [['Firmware label', report.options.firmwareLabel] as const] : []),
      ['GC heap', `${d.heapTotal} B = ${d.heapTotal / 16} blocks of 16 B`],
      ['gc.threshold() at start', String(d.thresholdDefault)],
      ...(d.uniqueId ? [['Unique id', d.uniqueId] as const] : []),
      ...(d.serialNumber ? [['USB serial', d.serialNumber] as const] : []),
      ['Exec mode', d.pasteMode ?? 'unknown'],
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
        ...(caps.collectTiming === 'ticks_us' ? {} : { note: 'timed on the host' }),
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
  const rows = checkRows(report).map((r) => ({
    experiment: r.experiment,
    check: r.title,
    status: r.status,
    detail: checkDetail(r),
  }));
  const body = html`
    <p class="verdict verdict-${report.verdict}">Verdict: <strong>${report.verdict}</strong></p>
    ${card} ${differences} ${verdictTable(rows)} ${chartGrid(await reportFigures(report))}
    ${sizeTable(report)}
  `;
  return renderPage({
    title: `picogc run ${report.runId}`,
    body,
    footer: `picogc ${report.tool.version}, report schema ${report.schema}`,
  });
}
