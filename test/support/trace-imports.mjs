// `node --import ./trace-imports.mjs …`: appends the URL of every module the process (main thread)
// resolves to the file named by PICOGC_TRACE_IMPORTS, one a line. For test/startup.test.ts.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.PICOGC_TRACE_IMPORTS) appendFileSync(process.env.PICOGC_TRACE_IMPORTS, resolved.url + '\\n');
  return resolved;
}`)}`,
);
