import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { REPORT_SCHEMA, reportSchema } from './schema.ts';

/**
 * The JSON Schema of report.json, generated from the zod schema that picogc itself validates with,
 * so the published file cannot drift from the code (a test compares them). Published at
 * docs/report.schema.json for tools that read reports without picogc.
 *
 * `io: 'input'` describes what a reader must accept: objects are open (no
 * `additionalProperties: false`), as picogc's own reader is (zod strips unknown keys), so a report
 * carrying extra fields from a newer picogc of the same schema version still validates.
 */

/** Where the published copy lives, relative to the repository root. */
export const REPORT_JSON_SCHEMA_FILE = 'docs/report.schema.json';

/** The command that regenerates it (package.json script). */
export const REGENERATE_COMMAND = 'npm run schema';

export function reportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(reportSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: `picogc report.json (${REPORT_SCHEMA})`,
    description:
      'One run of picogc on one device: its device, experiments (samples, metrics, checks) and verdict. ' +
      'The "schema" field names the version; readers refuse versions they do not know.',
    $comment: `Generated from src/report/schema.ts by \`${REGENERATE_COMMAND}\`; do not edit by hand.`,
    ...rest,
  };
}

/** The file's exact text: two-space JSON and a final newline. */
export function renderReportJsonSchema(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

/** `tsx src/report/json-schema.ts [PATH]` writes the schema (default: docs/report.schema.json). */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target =
    process.argv[2] ?? fileURLToPath(new URL(`../../${REPORT_JSON_SCHEMA_FILE}`, import.meta.url));
  writeFileSync(target, renderReportJsonSchema());
  process.stdout.write(`wrote ${target}\n`);
}
