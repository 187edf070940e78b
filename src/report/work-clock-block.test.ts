import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../test/support/synthetic-report.ts';
import { renderReportHtml } from './html-report.ts';
import { renderSummaryMarkdown } from './markdown.ts';
import { reportSchema, type Report } from './schema.ts';
import {
  workClockBlock,
  workClockBlockSchema,
  worstFitted,
  type CalibrationLike,
} from './work-clock-block.ts';

/** The shipped calibration, read as a file (not through src/sim's loader): what the block must show. */
const calibration = JSON.parse(
  readFileSync(new URL('../sim/work-clock.calibration.json', import.meta.url), 'utf8'),
) as CalibrationLike;

const EVIL = '<img src=x onerror=alert(1)>';

/** The section of index.html the block draws: from its heading to the end of its card. */
function section(page: string): string {
  const start = page.indexOf('<section class="card work-clock">');
  return start < 0 ? '' : page.slice(start, page.indexOf('</section>', start));
}

const rows = (markup: string, table: string): number => {
  const start = markup.indexOf(`<table class="residuals ${table}">`);
  if (start < 0) return 0;
  const body = markup.slice(markup.indexOf('<tbody>', start), markup.indexOf('</tbody>', start));
  return body.split('<tr').length - 1;
};

function simReport(block = workClockBlock(calibration, 'shipped')): Report {
  const report = syntheticReport([{ id: 'pause-vs-live' }], { kind: 'virtual-pico' });
  return reportSchema.parse({
    ...report,
    device: {
      ...report.device,
      capabilities: { ...report.device.capabilities, collectTiming: 'work-clock' },
    },
    workClock: block,
  });
}

describe('the workClock block of a report', () => {
  const block = workClockBlock(calibration, 'shipped');

  it('has every configuration of the calibration, in its order, with its pauses and error', () => {
    expect(workClockBlockSchema.parse(block)).toEqual(block);
    expect(block.fitted).toHaveLength(calibration.provenance.fittedTo.length);
    expect(block.setAside).toHaveLength(calibration.provenance.setAside.length);
    expect([block.fitted.length, block.setAside.length]).toEqual([29, 4]);
    calibration.provenance.fittedTo.forEach((p, i) => {
      const r = block.fitted[i]!;
      expect([r.config, r.buildUs, r.fittedUs]).toEqual([p.config, p.picoUs, p.fittedUs]);
      expect(r.relativeError).toBeCloseTo(p.fittedUs / p.picoUs - 1, 12);
    });
    calibration.provenance.setAside.forEach((p, i) => {
      const s = block.setAside[i]!;
      expect([s.config, s.buildUs, s.fittedUs, s.fittedAtBuildSweepUs]).toEqual([
        p.config,
        p.picoUs,
        p.fittedUs,
        p.fittedAtPicoSweepUs,
      ]);
      expect([s.buildSweptTo, s.vmSweptTo]).toEqual([p.picoSweptTo, p.vmSweptTo]);
      expect(s.relativeErrorAtBuildSweep).toBeCloseTo(p.fittedAtPicoSweepUs / p.picoUs - 1, 12);
      expect(s.why).toContain(`block ${p.picoSweptTo}, ${p.picoSweptTo - p.vmSweptTo} blocks past`);
      expect(s.why).toContain('false root');
    });
  });

  it('carries the coefficients and provenance, and its worst error is the largest of its rows', () => {
    expect(block.coefficients).toEqual({
      picoHz: calibration.picoHz,
      cyclesPerCount: calibration.cyclesPerCount,
      cyclesPerTable: calibration.cyclesPerTable,
      collectionFixedUs: calibration.collectionFixedUs,
      freeBlockInstructions: calibration.provenance.freeBlockInstructions,
    });
    expect(block.calibration).toMatchObject({
      schema: calibration.schema,
      source: 'shipped',
      summary: calibration.provenance.summary,
      firmware: calibration.provenance.firmware,
      date: calibration.provenance.date,
    });
    const largest = Math.max(...block.fitted.map((r) => Math.abs(r.relativeError)));
    expect(Math.abs(worstFitted(block)!.relativeError)).toBe(largest);
    // The file's worst error is the unrounded fit's; its rows hold pauses rounded to 1 µs.
    expect(block.worstRelativeError).toBeCloseTo(largest, 3);
  });
});

describe('the views of the block', () => {
  it('index.html: a table of the fitted configurations and one of those set aside, with their figures', async () => {
    const page = await renderReportHtml(simReport());
    const part = section(page);
    expect(part).toContain('<h2>Work clock calibration</h2>');
    expect(rows(part, 'fitted')).toBe(calibration.provenance.fittedTo.length);
    expect(rows(part, 'set-aside')).toBe(calibration.provenance.setAside.length);
    const first = calibration.provenance.fittedTo[0]!;
    expect(part).toMatch(new RegExp(`<td>${first.config}</td>\\s*<td>${Math.round(first.picoUs)} µs</td>`));
    const aside = calibration.provenance.setAside[0]!;
    expect(part).toContain(`block ${aside.picoSweptTo} / ${aside.vmSweptTo}`);
    expect(part).toContain(`${calibration.provenance.fittedTo.length} configurations`);
  });

  it('index.html: the calibration text is escaped, whatever it holds', async () => {
    const block = workClockBlock(
      {
        ...calibration,
        provenance: {
          ...calibration.provenance,
          summary: EVIL,
          fittedTo: [{ ...calibration.provenance.fittedTo[0]!, config: EVIL }],
        },
      },
      EVIL,
    );
    const part = section(await renderReportHtml(simReport(block)));
    expect(part).not.toContain('<img');
    // its row, the worst configuration in the headline, the provenance summary and the source
    expect(part.split('&lt;img src=x onerror=alert(1)&gt;').length - 1).toBe(4);
  });

  it('summary.md: the worst error, the count and the set-aside count, escaped', () => {
    const text = renderSummaryMarkdown(simReport());
    const part = text.slice(text.indexOf('## Work clock calibration'));
    const worst = (calibration.provenance.worstRelativeError * 100).toFixed(1);
    expect(part).toContain(`fitted to ${calibration.provenance.fittedTo.length} configurations`);
    expect(part).toContain(`worst error ±${worst}%`);
    expect(part).toContain(`- ${calibration.provenance.setAside.length} set aside`);
    expect(part).toContain('RPI\\_PICO'); // escaped for Markdown
  });

  it('a report without the block (a board) shows neither', async () => {
    const board = syntheticReport([{ id: 'pause-vs-live' }]);
    expect(section(await renderReportHtml(board))).toBe('');
    expect(renderSummaryMarkdown(board)).not.toContain('Work clock');
  });
});
