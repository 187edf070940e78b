import { checkDetail, checkRows } from './checks.ts';
import { reportFigures, sizeTable } from './figures.ts';
import {
  chartGrid,
  deviceCard,
  html,
  renderPage,
  verdictTable,
  type TrustedHtml,
  type VerdictRow,
} from './html.ts';
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
  const body = html`
    <p class="verdict verdict-${report.verdict}">Verdict: <strong>${report.verdict}</strong></p>
    ${card} ${differences} ${verdictTable(groupedRows(report))} ${chartGrid(await reportFigures(report))}
    ${sizeTable(report)} ${deviceOutput(report)}
  `;
  return renderPage({
    title: `picogc run ${report.runId}`,
    body,
    footer: `picogc ${report.tool.version}, report schema ${report.schema}`,
  });
}

/** An experiment with more checks than this shows its passing ones as one row (failures stay listed). */
const GROUP_PASSING_OVER = 8;

/**
 * The verdict table's rows. An experiment with many checks (alloc-sizes has one per object) shows
 * its passes as one row naming them, so the table stays readable; every failure and every skip
 * keeps a row of its own, in place.
 */
export function groupedRows(report: Report): VerdictRow[] {
  const rows = checkRows(report);
  const out: VerdictRow[] = [];
  for (let i = 0; i < rows.length;) {
    const experiment = rows[i]!.experiment;
    let end = i;
    while (end < rows.length && rows[end]!.experiment === experiment) end++;
    const group = rows.slice(i, end);
    const passing = group.filter((r) => r.status === 'pass');
    const collapse = group.length > GROUP_PASSING_OVER && passing.length > 1;
    let placed = false;
    for (const r of group) {
      if (collapse && r.status === 'pass') {
        if (placed) continue;
        placed = true;
        out.push({
          experiment,
          check: `${passing.length} of ${group.length} checks pass`,
          status: 'pass',
          detail: summarizeTitles(passing.map((p) => p.title)),
        });
        continue;
      }
      out.push({ experiment, check: r.title, status: r.status, detail: checkDetail(r) });
    }
    i = end;
  }
  return out;
}

/**
 * Titles that end alike ("float costs what the model says", "str of 20 costs what the model
 * says") as one line: "float, str of 20 — each costs what the model says".
 */
export function summarizeTitles(titles: readonly string[]): string {
  const words = titles.map((t) => t.split(' '));
  let common = 0;
  const shortest = Math.min(...words.map((w) => w.length));
  while (
    common < shortest - 1 &&
    words.every((w) => w[w.length - 1 - common] === words[0]![words[0]!.length - 1 - common])
  ) {
    common++;
  }
  if (common < 2) return titles.join('; ');
  const suffix = words[0]!.slice(-common).join(' ');
  return `${words.map((w) => w.slice(0, -common).join(' ')).join(', ')} — each ${suffix}`;
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
