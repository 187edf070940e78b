import type { Report } from './schema.ts';

/** The deadlines a run used: a budget of device time, and what it became on the host. */
export function deadlineLine(report: Report): string | undefined {
  const step = report.options.stepTimeoutMs;
  if (step === undefined) return undefined;
  const pace = report.device.pace;
  const budget = `${seconds(step)} of device time per device call`;
  if (!pace) return budget;
  if (pace.deadlineScale === 1) return `${budget} (the device kept real time: ${pace.method})`;
  return (
    `${budget}, stretched ×${pace.deadlineScale} to ${seconds(step * pace.deadlineScale)} on the host: ` +
    `the device ran at ${(1 / pace.wallPerDeviceMs).toFixed(2)}× real time (${pace.method})`
  );
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
