import { formatUs, signedPercent } from '../format.ts';
import { html, type TrustedHtml } from './html.ts';
import { workClockLines } from './work-clock-lines.ts';
import type { Report } from './schema.ts';

/**
 * The HTML report's section on the work clock's calibration: how the virtual Pico's counted work
 * became Pico µs, and its residuals configuration by configuration: a table of the configurations
 * it was fitted to, and one of those set aside, with the fit at the build's sweep and why. Nothing
 * for a report without the block (a board, the emulator, a replay).
 */
export function workClockSection(report: Report): TrustedHtml {
  const block = report.workClock;
  if (!block) return html``;
  const lines = workClockLines(block);
  const error = (relativeError: number) => signedPercent(relativeError * 100);
  return html`<section class="card work-clock">
    <h2>Work clock calibration</h2>
    <p>
      ${capitalise(lines.conversion)}; ${lines.fit}.${lines.setAside ? ` ${capitalise(lines.setAside)}.` : ''}
    </p>
    <table class="residuals fitted">
      <caption>
        Fitted to (${block.fitted.length})
      </caption>
      <thead>
        <tr>
          <th>Configuration</th>
          <th>Build's pause (median)</th>
          <th>Virtual Pico's fit</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        ${block.fitted.map(
          (r) =>
            html`<tr>
              <td>${r.config}</td>
              <td>${formatUs(r.buildUs)}</td>
              <td>${formatUs(r.fittedUs)}</td>
              <td>${error(r.relativeError)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      block.setAside.length === 0
        ? ''
        : html`<table class="residuals set-aside">
            <caption>
              Set aside (${block.setAside.length})
            </caption>
            <thead>
              <tr>
                <th>Configuration</th>
                <th>Build's pause (median)</th>
                <th>Virtual Pico's fit</th>
                <th>Error</th>
                <th>Fit at the build's sweep</th>
                <th>Error</th>
                <th>Swept to: build / virtual Pico</th>
                <th class="why">Why</th>
              </tr>
            </thead>
            <tbody>
              ${block.setAside.map(
                (s) =>
                  html`<tr>
                    <td>${s.config}</td>
                    <td>${formatUs(s.buildUs)}</td>
                    <td>${formatUs(s.fittedUs)}</td>
                    <td>${error(s.relativeError)}</td>
                    <td>${formatUs(s.fittedAtBuildSweepUs)}</td>
                    <td>${error(s.relativeErrorAtBuildSweep)}</td>
                    <td>block ${s.buildSweptTo} / ${s.vmSweptTo}</td>
                    <td class="why"><small>${s.why}</small></td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <details>
      <summary>Provenance</summary>
      <p>${block.calibration.summary}</p>
      <p>
        VM: ${block.calibration.vm}. Calibration: ${block.calibration.source} (${block.calibration.schema}).
      </p>
    </details>
  </section>`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
