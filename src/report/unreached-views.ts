import { deviceCard, html, renderPage } from './html.ts';
import { writeJUnit, type JUnitTestCase, type JUnitTestSuite } from './junit.ts';
import { md } from './markdown.ts';
import { STAGE_TEXT, type UnreachedReport } from './unreached.ts';

/**
 * The views of a run that never reached its device, as a reached run's are of report.json: the
 * same page, summary and JUnit shapes, saying which board, how far the run got and the error. The
 * error's message carries the last bytes the device sent: data, escaped in every view.
 */

/** The fields every view shows, in order. */
function fields(u: UnreachedReport): [string, string][] {
  return [
    ['Board', `${u.target.label} (${u.target.kind})`],
    ['Stopped while', `${u.stage}: ${STAGE_TEXT[u.stage]}`],
    ['Error', `${u.error.name}: ${u.error.message}`],
    ...(u.options.firmwareLabel ? [['Firmware label', u.options.firmwareLabel] as [string, string]] : []),
    ['Not run', u.notRun.experiments.join(', ')],
    ['Run', `${u.runId} (${u.options.profile} profile), ${u.startedAt} → ${u.finishedAt}`],
    ['Host', `${u.host.hostname}, Node ${u.host.node}, ${u.host.platform}, picogc ${u.tool.version}`],
  ];
}

/** index.html: one self-contained page, every string escaped by the `html` template. */
export function renderUnreachedHtml(u: UnreachedReport): string {
  const body = html`
    <p class="verdict verdict-error">
      Verdict: <strong>error</strong> — the board was never reached, nothing was measured
    </p>
    ${deviceCard({ title: `Board not reached: ${u.target.label}`, fields: fields(u) })}
  `;
  return renderPage({
    title: `picogc run ${u.runId}`,
    body,
    footer: `picogc ${u.tool.version}, report schema ${u.schema}`,
  });
}

/** summary.md, escaped for Markdown as the reached run's summary is. */
export function renderUnreachedMarkdown(u: UnreachedReport): string {
  const lines = [
    `# picogc run ${md(u.runId)}: ERROR (the board was never reached)`,
    '',
    ...fields(u).map(([label, value]) => `- **${label}:** ${md(value)}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * junit.xml: one suite per planned experiment, as the reached run's view groups its checks, each
 * holding one errored case, "experiment ran to the end" (the row a failed experiment gets there).
 */
export function renderUnreachedJUnit(u: UnreachedReport): string {
  const message = `not run: the board was never reached (${u.stage}: ${STAGE_TEXT[u.stage]})`;
  const details = `${u.error.name}: ${u.error.message}`;
  const ids = u.notRun.experiments.length > 0 ? u.notRun.experiments : ['run'];
  const suites: JUnitTestSuite[] = ids.map((id) => {
    const only: JUnitTestCase = {
      name: 'experiment ran to the end',
      classname: `picogc.${id.replace(/\s+/g, '-')}`,
      status: 'error',
      type: u.error.name,
      message,
      details,
    };
    return {
      name: id,
      cases: [only],
      timestamp: u.startedAt.replace(/Z$/, ''),
      hostname: u.host.hostname,
      properties: [
        ['board', u.target.label],
        ['board.kind', u.target.kind],
        ['stage', u.stage],
        ['picogc.version', u.tool.version],
        ['run', u.runId],
      ],
    };
  });
  return writeJUnit(suites);
}
