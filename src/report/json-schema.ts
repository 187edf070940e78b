import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { REPORT_SCHEMA, reportSchema } from './schema.ts';
import { UNREACHED_SCHEMA, unreachedSchema } from './unreached.ts';

/**
 * The JSON Schemas of what a run directory's report.json can be, generated from the zod schemas
 * that picogc itself validates with, so the published files cannot drift from the code (a test
 * compares them): docs/report.schema.json for a run that reached its device, and
 * docs/unreached.schema.json for one that never did. For tools that read reports without picogc:
 * the "schema" field says which of the two a report.json is.
 *
 * `io: 'input'` describes what a reader must accept: objects are open (no
 * `additionalProperties: false`), as picogc's own reader is (zod strips unknown keys), so a report
 * carrying extra fields from a newer picogc of the same schema version still validates.
 */

/** Where the published copy lives, relative to the repository root. */
export const REPORT_JSON_SCHEMA_FILE = 'docs/report.schema.json';
export const UNREACHED_JSON_SCHEMA_FILE = 'docs/unreached.schema.json';

/** The command that regenerates them (package.json script). */
export const REGENERATE_COMMAND = 'npm run schema';

function jsonSchema(
  schema: z.ZodType,
  head: { title: string; description: string; source: string },
): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: head.title,
    description: head.description,
    $comment: `Generated from ${head.source} by \`${REGENERATE_COMMAND}\`; do not edit by hand.`,
    ...rest,
  };
}

export function reportJsonSchema(): Record<string, unknown> {
  return jsonSchema(reportSchema, {
    title: `picogc report.json (${REPORT_SCHEMA})`,
    description:
      'One run of picogc on one device: its device, experiments (samples, metrics, checks) and verdict. ' +
      'The "schema" field names the version; readers refuse versions they do not know.',
    source: 'src/report/schema.ts',
  });
}

export function unreachedJsonSchema(): Record<string, unknown> {
  return jsonSchema(unreachedSchema, {
    title: `picogc report.json of a board never reached (${UNREACHED_SCHEMA})`,
    description:
      'A run of picogc that never reached its device (flashing, opening the link or its first exec failed): ' +
      'the board as named, the stage that failed, the error, and every experiment planned (none ran). ' +
      'The "schema" field names the version; readers refuse versions they do not know.',
    source: 'src/report/unreached.ts',
  });
}

/** A schema file's exact text: two-space JSON and a final newline. */
function render(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export function renderReportJsonSchema(): string {
  return render(reportJsonSchema());
}

export function renderUnreachedJsonSchema(): string {
  return render(unreachedJsonSchema());
}

/**
 * `tsx src/report/json-schema.ts` writes both schemas into docs/; `… PATH` writes the report's
 * alone to PATH.
 */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const inRepo = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));
  const files: [string, string][] = process.argv[2]
    ? [[process.argv[2], renderReportJsonSchema()]]
    : [
        [inRepo(REPORT_JSON_SCHEMA_FILE), renderReportJsonSchema()],
        [inRepo(UNREACHED_JSON_SCHEMA_FILE), renderUnreachedJsonSchema()],
      ];
  for (const [target, text] of files) {
    writeFileSync(target, text);
    process.stdout.write(`wrote ${target}\n`);
  }
}
