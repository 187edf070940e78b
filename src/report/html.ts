import { escape } from 'html-escaper';
import { InputError } from '../errors.ts';

/**
 * The shell of picogc's self-contained HTML reports and the one way to put text into them.
 *
 * Device output is data and may hold anything (`<img src=x onerror=alert(1)>` included), so the
 * `html` tagged template escapes every interpolated value. Only a `TrustedHtml` passes through
 * unescaped, and there are exactly two ways to get one: a fragment built by `html` itself (whose
 * own values were escaped), or `trustedSvg()` on markup produced by picogc's chart and heap-map
 * renderers. The page carries a Content-Security-Policy with no script source at all, so even a
 * mistake here could not run code; no external resource is ever referenced.
 */

let mint: (html: string) => TrustedHtml;

/** Markup that is safe to place in a report as is. Not constructible outside this module. */
export class TrustedHtml {
  static {
    mint = (markup) => new TrustedHtml(markup);
  }
  private constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type HtmlValue = string | number | boolean | null | undefined | TrustedHtml | readonly HtmlValue[];

/** Escapes & < > " ' for text and quoted attribute values (html-escaper). */
export function escapeHtml(text: string): string {
  return escape(text);
}

/** A link target that can only navigate: relative references, http(s), or a fragment. */
export function isSafeUrl(url: string): boolean {
  const trimmed = url.trim();
  if (/[\u0000-\u001f\u007f\\]/.test(trimmed)) return false;
  if (trimmed.startsWith('//')) return false; // protocol-relative: leaves the report
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(trimmed);
  return scheme === null || /^https?$/i.test(scheme[1] as string);
}

const URL_ATTRIBUTE = /\b(?:href|src|xlink:href|action|formaction|poster)\s*=\s*["']?$/i;
const HANDLER_ATTRIBUTE = /\bon[a-z]+\s*=\s*["']?$/i;

/**
 * Tagged template: `html\`<td>${deviceText}</td>\`` escapes deviceText. Arrays are joined,
 * null/undefined/false render nothing. A value in a URL attribute must pass isSafeUrl, and values
 * are never allowed inside an event-handler attribute: both are InputErrors.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): TrustedHtml {
  let out = strings[0] as string;
  values.forEach((value, i) => {
    if (HANDLER_ATTRIBUTE.test(out))
      throw new InputError('refusing to interpolate into an event-handler attribute');
    if (URL_ATTRIBUTE.test(out) && !(value instanceof TrustedHtml)) {
      const url = typeof value === 'string' ? value : String(value);
      if (!isSafeUrl(url)) throw new InputError(`refusing unsafe URL in the report: ${JSON.stringify(url)}`);
    }
    out += render(value) + (strings[i + 1] as string);
  });
  return mint(out);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof TrustedHtml) return value.html;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Marks SVG from picogc's own renderers (charts/, heapmap-svg.ts) as trusted. A cheap structural
 * check refuses anything that could execute, as a second line behind the renderers' escaping.
 */
export function trustedSvg(svg: string): TrustedHtml {
  const s = svg.trim();
  if (!s.startsWith('<svg') || !s.endsWith('</svg>')) throw new InputError('not an SVG document');
  if (/<\s*(?:script|foreignObject|iframe|object|embed)\b/i.test(s)) {
    throw new InputError('SVG contains an element that can run code or load content');
  }
  // Text is escaped (no raw '<'), so every '<...>' is a real tag, and escaped attribute values hold
  // no raw quotes, so names and values can be read off reliably. An escaped device string such as
  // "onerror=" inside a label or an aria-label is data, not an attribute, and passes.
  for (const tag of s.matchAll(/<[a-zA-Z][^>]*>/g)) {
    for (const attr of tag[0].matchAll(/[\s/]([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/g)) {
      const name = (attr[1] as string).toLowerCase();
      const raw = attr[2] as string;
      const value = urlText(/^["']/.test(raw) ? raw.slice(1, -1) : raw);
      if (name.startsWith('on')) throw new InputError(`SVG contains an event-handler attribute: ${name}`);
      if (/^(?:javascript|vbscript|data):/i.test(value))
        throw new InputError(`SVG contains a script URL in ${name}`);
    }
  }
  return mint(s);
}

/** An attribute value as a browser would read it as a URL: entities decoded, tabs/newlines dropped. */
function urlText(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16) % 0x110000))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec) % 0x110000))
    .replace(/&colon;/gi, ':')
    .replace(/[\u0000-\u0020]/g, '');
}

/**
 * The policy every report page carries: nothing loads, nothing runs; inline styles and data: images
 * only. base-uri and form-action are not covered by default-src, so they are closed explicitly.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export interface PageInput {
  title: string;
  body: TrustedHtml;
  /** Shown small at the bottom, e.g. "picogc 0.1.0, report schema 1". */
  footer?: string;
  lang?: string;
}

export function renderPage(page: PageInput): string {
  return html`<!doctype html>
    <html lang="${page.lang ?? 'en'}">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />
        <meta name="referrer" content="no-referrer" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${page.title}</title>
        <style>
          ${mint(REPORT_CSS)}
        </style>
      </head>
      <body>
        <main>
          <h1>${page.title}</h1>
          ${page.body}
        </main>
        ${page.footer ? html`<footer>${page.footer}</footer>` : ''}
      </body>
    </html> `.html;
}

export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface DeviceCardInput {
  title: string;
  /** Label/value pairs in display order, e.g. ["Firmware", "MicroPython v1.28.0 on 2026-04-06"]. */
  fields: readonly (readonly [string, string])[];
  /** Capability flags shown as badges; a note says why something is missing. */
  capabilities?: readonly { name: string; supported: boolean; note?: string }[];
}

export function deviceCard(input: DeviceCardInput): TrustedHtml {
  const caps = input.capabilities ?? [];
  return html`<section class="card device">
    <h2>${input.title}</h2>
    <dl>
      ${input.fields.map(
        ([k, v]) =>
          html`<dt>${k}</dt>
            <dd>${v}</dd>`,
      )}
    </dl>
    ${
      caps.length > 0
        ? html`<ul class="caps">
            ${caps.map(
              (c) =>
                html`<li class="${c.supported ? 'cap-yes' : 'cap-no'}" title="${c.note ?? ''}">
                  ${c.supported ? '✓' : '✗'} ${c.name}${c.note ? html` <small>(${c.note})</small>` : ''}
                </li>`,
            )}
          </ul>`
        : ''
    }
  </section>`;
}

export interface VerdictRow {
  check: string;
  status: CheckStatus;
  /** Measured vs expected, tolerance, or the reason for a skip. */
  detail?: string;
  experiment?: string;
}

export function verdictTable(rows: readonly VerdictRow[], caption = 'Checks'): TrustedHtml {
  const count = (s: CheckStatus): number => rows.filter((r) => r.status === s).length;
  return html`<section class="card">
    <table class="verdicts">
      <caption>
        ${caption}:
        <span class="status pass">${count('pass')} pass</span>
        <span class="status fail">${count('fail')} fail</span>
        <span class="status skipped">${count('skipped')} skipped</span>
      </caption>
      <thead>
        <tr>
          <th>Experiment</th>
          <th>Check</th>
          <th>Result</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr class="row-${r.status}">
              <td>${r.experiment ?? ''}</td>
              <td>${r.check}</td>
              <td><span class="status ${r.status}">${r.status}</span></td>
              <td>${r.detail ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

export function chartFigure(title: string, chart: TrustedHtml, caption?: string): TrustedHtml {
  return html`<figure class="chart">
    <h3>${title}</h3>
    ${chart}${caption ? html`<figcaption>${caption}</figcaption>` : ''}
  </figure>`;
}

export function chartGrid(figures: readonly TrustedHtml[]): TrustedHtml {
  return html`<section class="charts">${figures}</section>`;
}

export const REPORT_CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --card: #fff;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --skip: #7d4e00; --skip-bg: #fff8c5; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 1.6rem; margin: 0 0 16px; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 0 0 12px; }
h3 { font-size: 1rem; margin: 0 0 8px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin: 0 0 20px;
  overflow-x: auto; }
.device dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
.device dt { color: var(--muted); }
.device dd { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; white-space: pre-wrap; }
.caps { list-style: none; padding: 0; margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 6px; }
.caps li { border-radius: 999px; padding: 2px 10px; font-size: 0.85rem; border: 1px solid var(--line); }
.cap-yes { background: var(--pass-bg); color: var(--pass); }
.cap-no { background: var(--bg); color: var(--muted); }
table.verdicts { border-collapse: collapse; width: 100%; }
.verdicts caption { text-align: left; font-weight: 600; padding-bottom: 8px; }
.verdicts th, .verdicts td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
.verdicts td:last-child { overflow-wrap: anywhere; white-space: pre-wrap; }
.verdicts tbody tr:nth-child(even) { background: #fafbfc; }
table.residuals { border-collapse: collapse; margin: 10px 0; font-size: 0.88rem; font-variant-numeric: tabular-nums; }
.residuals caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
.residuals th, .residuals td { padding: 2px 14px 2px 0; border-bottom: 1px solid var(--line); text-align: right; }
.residuals th:first-child, .residuals td:first-child, .residuals .why { text-align: left; }
.residuals td:first-child { white-space: nowrap; }
.status { display: inline-block; border-radius: 999px; padding: 0 9px; font-size: 0.85rem; font-weight: 600; }
.status.pass { background: var(--pass-bg); color: var(--pass); }
.status.fail { background: var(--fail-bg); color: var(--fail); }
.status.skipped { background: var(--skip-bg); color: var(--skip); }
tr.row-fail td:first-child { box-shadow: inset 3px 0 0 var(--fail); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 20px; margin: 0 0 20px; }
figure.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 6px; }
footer { color: var(--muted); font-size: 0.85rem; text-align: center; padding: 0 0 24px; }
@media (max-width: 560px) { .charts { grid-template-columns: 1fr; } }
`;
