import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  REGENERATE_COMMAND,
  renderReportJsonSchema,
  renderUnreachedJsonSchema,
  REPORT_JSON_SCHEMA_FILE,
  reportJsonSchema,
  UNREACHED_JSON_SCHEMA_FILE,
  unreachedJsonSchema,
} from './json-schema.ts';
import { REPORT_SCHEMA, reportSchema } from './schema.ts';
import { UNREACHED_SCHEMA, unreachedSchema } from './unreached.ts';

describe('docs/report.schema.json', () => {
  it('is the JSON Schema generated from the zod schema (else regenerate it)', () => {
    const committed = readFileSync(new URL(`../../${REPORT_JSON_SCHEMA_FILE}`, import.meta.url), 'utf8');
    // One readable failure line instead of a 10 kB diff.
    expect(
      committed === renderReportJsonSchema(),
      `${REPORT_JSON_SCHEMA_FILE} is out of date with src/report/schema.ts: run \`${REGENERATE_COMMAND}\``,
    ).toBe(true);
  });

  it('describes report.json: its version, every top-level field, and open objects', () => {
    const schema = reportJsonSchema() as {
      $schema: string;
      properties: Record<string, { const?: string }>;
      required: string[];
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties.schema?.const).toBe(REPORT_SCHEMA);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(reportSchema.shape).sort());
    const optional = Object.entries(reportSchema.shape)
      .filter(([, field]) => field.safeParse(undefined).success)
      .map(([key]) => key);
    expect(optional.sort()).toEqual(['board', 'firmware', 'notRun', 'recovery', 'workClock']);
    expect(schema.required.sort()).toEqual(
      Object.keys(reportSchema.shape)
        .filter((key) => !optional.includes(key))
        .sort(),
    );
    // A reader must accept fields a newer picogc of the same version adds.
    expect(JSON.stringify(schema)).not.toContain('"additionalProperties":false');
  });
});

describe('docs/unreached.schema.json', () => {
  it('is the JSON Schema generated from the zod schema (else regenerate it)', () => {
    const committed = readFileSync(new URL(`../../${UNREACHED_JSON_SCHEMA_FILE}`, import.meta.url), 'utf8');
    expect(
      committed === renderUnreachedJsonSchema(),
      `${UNREACHED_JSON_SCHEMA_FILE} is out of date with src/report/unreached.ts: run \`${REGENERATE_COMMAND}\``,
    ).toBe(true);
  });

  it('describes the report of an unreached board: its version, every field required, open objects', () => {
    const schema = unreachedJsonSchema() as {
      properties: Record<string, { const?: string }>;
      required: string[];
    };
    expect(schema.properties.schema?.const).toBe(UNREACHED_SCHEMA);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(unreachedSchema.shape).sort());
    expect(schema.required.sort()).toEqual(Object.keys(unreachedSchema.shape).sort());
    expect(JSON.stringify(schema)).not.toContain('"additionalProperties":false');
  });
});
