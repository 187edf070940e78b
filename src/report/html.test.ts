import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import {
  chartFigure,
  CONTENT_SECURITY_POLICY,
  deviceCard,
  html,
  isSafeUrl,
  renderPage,
  trustedSvg,
  TrustedHtml,
  verdictTable,
} from './html.ts';

const EVIL = '<img src=x onerror=alert(1)>';

/** Markup with the whitespace between tags removed: prettier formats `html` templates freely. */
const squash = (markup: string): string => markup.replace(/>\s+</g, '><').trim();

describe('html tagged template', () => {
  it('escapes every interpolated value', () => {
    const out = html`<p title="${`"${EVIL}'`}">${EVIL}</p>`.html;
    expect(out).toBe(
      '<p title="&quot;&lt;img src=x onerror=alert(1)&gt;&#39;">&lt;img src=x onerror=alert(1)&gt;</p>',
    );
  });

  it('passes nested fragments and arrays, drops null/undefined/false, prints numbers', () => {
    const items = ['a<b', 'c&d'].map((t) => html`<li>${t}</li>`);
    expect(
      squash(
        html`<ul>
          ${items}
        </ul>`.html,
      ),
    ).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
    const scalars = [null, undefined, false, 0, true] as const;
    expect(html`<b>${scalars[0]}${scalars[1]}${scalars[2]}${scalars[3]}${scalars[4]}</b>`.html).toBe(
      '<b>0true</b>',
    );
  });

  it('lets only trusted markup through unescaped', () => {
    const svg = trustedSvg('<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg>');
    expect(html`<div>${svg}</div>`.html).toBe(
      '<div><svg xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg></div>',
    );
    // A plain string that looks like SVG is still text.
    expect(html`<div>${'<svg onload=alert(1)>'}</div>`.html).toBe('<div>&lt;svg onload=alert(1)&gt;</div>');
  });

  it('checks URLs in URL attributes and refuses event-handler attributes', () => {
    expect(html`<a href="${'../run-1/index.html'}">x</a>`.html).toBe('<a href="../run-1/index.html">x</a>');
    expect(() => html`<a href="${'javascript:alert(1)'}">x</a>`).toThrow(InputError);
    expect(() => html`<img src=${'//evil.example/x.png'} />`).toThrow(InputError);
    expect(() => html`<div onclick="${'x'}"></div>`).toThrow(/event-handler/);
  });
});

describe('isSafeUrl', () => {
  it('allows relative, fragment and http(s) links only', () => {
    for (const ok of ['index.html', '../run-2/index.html', '#charts', 'https://ci.example/1', 'HTTP://x']) {
      expect(isSafeUrl(ok), ok).toBe(true);
    }
    for (const bad of [
      'javascript:alert(1)',
      ' javascript:x',
      'java\tscript:x',
      'data:text/html,x',
      '//evil',
      'file:///etc/passwd',
      'a\\b',
    ]) {
      expect(isSafeUrl(bad), bad).toBe(false);
    }
  });
});

describe('trustedSvg', () => {
  it('refuses markup that could run or load anything', () => {
    const bad = [
      '<div></div>',
      '<svg><script>alert(1)</script></svg>',
      '<svg><foreignObject><iframe/></foreignObject></svg>',
      '<svg onload="alert(1)"></svg>',
      '<svg onload=alert(1)></svg>',
      '<svg><g/onclick=alert(1)></g></svg>',
      '<svg><a href=javascript:alert(1)><text>x</text></a></svg>',
      '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
      '<svg><a href="&#106;avascript:alert(1)"><text>x</text></a></svg>',
      '<svg><a href="java&#9;script:alert(1)"><text>x</text></a></svg>',
    ];
    for (const svg of bad) expect(() => trustedSvg(svg), svg).toThrow(InputError);
  });

  it('accepts escaped device text that merely mentions onerror= or javascript:', () => {
    const svg = `<svg aria-label="&lt;img src=x onerror=alert(1)&gt;"><text>javascript:alert(1) onerror=x</text></svg>`;
    expect(trustedSvg(svg)).toBeInstanceOf(TrustedHtml);
  });
});

describe('renderPage', () => {
  it('is a complete document with a strict CSP first in the head and no external resource', () => {
    const page = renderPage({ title: `Report ${EVIL}`, body: html`<p>${EVIL}</p>`, footer: 'picogc <0.1>' });
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(squash(page)).toMatch(
      /^<!doctype html><html lang="en"><head><meta charset="utf-8" \/><meta http-equiv="Content-Security-Policy"/,
    );
    const head = page.slice(page.indexOf('<head>'), page.indexOf('</head>'));
    expect(head.indexOf('Content-Security-Policy')).toBeLessThan(head.indexOf('<title>'));
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(page).not.toMatch(/<script|<link|@import|url\(|https?:\/\//i);
    expect(page).not.toContain(EVIL);
    expect(page.split('&lt;img src=x onerror=alert(1)&gt;').length - 1).toBe(3); // title, h1, body
    expect(page).toContain('<footer>picogc &lt;0.1&gt;</footer>');
  });
});

describe('report parts', () => {
  it('device card escapes fields and capability notes', () => {
    const card = deviceCard({
      title: 'Raspberry Pi Pico',
      fields: [
        ['Firmware', 'MicroPython v1.28.0'],
        ['Banner', EVIL],
      ],
      capabilities: [
        { name: 'ticks_us 1 µs', supported: true },
        { name: 'gc.collect inside exec', supported: false, note: `deferred ${EVIL}` },
      ],
    }).html;
    expect(squash(card)).toContain('<dt>Banner</dt><dd>&lt;img src=x onerror=alert(1)&gt;</dd>');
    expect(card).toContain('class="cap-yes"');
    expect(card).toContain('class="cap-no"');
    expect(card).not.toContain('<img');
  });

  it('verdict table counts and colours pass / fail / skipped', () => {
    const table = verdictTable([
      { experiment: 'alloc-sizes', check: 'float = 1 block', status: 'pass' },
      { experiment: 'pause-vs-live', check: 'R² ≥ 0.95', status: 'fail', detail: `0.91 ${EVIL}` },
      { experiment: 'mark-overflow', check: 'step visible', status: 'skipped', detail: 'ms timer' },
    ]).html;
    expect(table).toContain('<span class="status pass">1 pass</span>');
    expect(table).toContain('<span class="status fail">1 fail</span>');
    expect(table).toContain('<span class="status skipped">1 skipped</span>');
    expect(table).toContain('<tr class="row-fail">');
    expect(table).not.toContain('<img');
  });

  it('chart figure wraps trusted SVG and escapes its title', () => {
    const fig = squash(chartFigure(EVIL, trustedSvg('<svg></svg>'), 'caption').html);
    expect(fig).toBe(
      '<figure class="chart"><h3>&lt;img src=x onerror=alert(1)&gt;</h3><svg></svg><figcaption>caption</figcaption></figure>',
    );
  });
});
