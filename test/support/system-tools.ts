import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';

/**
 * The Debian packages some tests use (`.ci/run` installs them). A test that needs one runs when it
 * is there and skips, with the reason in its title, when it is not; but under CI (the CI variable
 * set) a missing one is an error: a CI job must not pass by skipping. One mechanism for all of them.
 */
export interface SystemTool {
  /** What the messages call it. */
  name: string;
  /** On PATH, or an absolute path. */
  command: string;
  /** The Debian package that provides it. */
  debianPackage: string;
  /** Arguments that make it print its version and exit 0. */
  versionArgs: string[];
}

export type ToolStatus = { available: true; version: string } | { available: false; reason: string };

export const SOCAT: SystemTool = {
  name: 'socat',
  command: 'socat',
  debianPackage: 'socat',
  versionArgs: ['-V'],
};
export const SER2NET: SystemTool = {
  name: 'ser2net',
  command: 'ser2net',
  debianPackage: 'ser2net',
  versionArgs: ['-v'],
};
export const XMLLINT: SystemTool = {
  name: 'xmllint',
  command: 'xmllint',
  debianPackage: 'libxml2-utils',
  versionArgs: ['--version'],
};

/** Whether `tool` can run here; throws instead of answering "no" when CI is set. */
export function toolStatus(tool: SystemTool): ToolStatus {
  const status = probe(tool);
  if (!status.available && process.env.CI) {
    const install = `apt-get install ${tool.debianPackage}`;
    const hint = status.reason.includes(install) ? '' : ` (${install})`;
    throw new Error(`CI is set but ${tool.name} cannot run: ${status.reason}${hint}`);
  }
  return status;
}

/** `title`, with why it is skipped when the tool is missing (for describe.skipIf / it.skipIf). */
export function titled(title: string, status: ToolStatus): string {
  return status.available ? title : `${title} (skipped: ${status.reason})`;
}

function probe(tool: SystemTool): ToolStatus {
  if (isAbsolute(tool.command) && !existsSync(tool.command)) {
    return { available: false, reason: `no ${tool.name} at ${tool.command}` };
  }
  const run = spawnSync(tool.command, tool.versionArgs, { encoding: 'utf8', timeout: 15_000 });
  const error: NodeJS.ErrnoException | undefined = run.error;
  if (error?.code === 'ENOENT') {
    return {
      available: false,
      reason: `${tool.command} is not installed (apt-get install ${tool.debianPackage})`,
    };
  }
  if (run.status !== 0) {
    const said = (run.stderr || run.stdout || String(run.error)).trim().split('\n')[0];
    return { available: false, reason: `${tool.command} ${tool.versionArgs.join(' ')} failed: ${said}` };
  }
  return { available: true, version: (run.stdout || run.stderr).trim().split('\n')[0] ?? '' };
}
