import { describe, expect, it } from 'vitest';
import { titled, toolStatus, type SystemTool } from './system-tools.ts';

const MISSING: SystemTool = {
  name: 'frobnicator',
  command: 'picogc-no-such-tool',
  debianPackage: 'frobnicator-utils',
  versionArgs: ['--version'],
};

describe('toolStatus: one rule for the system packages tests use', () => {
  it('skips with the reason when a tool is missing, and fails instead when CI is set', () => {
    const saved = process.env.CI;
    try {
      delete process.env.CI;
      const status = toolStatus(MISSING);
      expect(status).toEqual({
        available: false,
        reason: 'picogc-no-such-tool is not installed (apt-get install frobnicator-utils)',
      });
      expect(titled('validates the thing', status)).toBe(
        'validates the thing (skipped: picogc-no-such-tool is not installed (apt-get install frobnicator-utils))',
      );
      process.env.CI = 'true';
      expect(() => toolStatus(MISSING)).toThrow(
        /^CI is set but frobnicator cannot run: picogc-no-such-tool is not installed/,
      );
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  it('reports a tool that runs, with its version line', () => {
    const node: SystemTool = {
      name: 'node',
      command: process.execPath,
      debianPackage: 'nodejs',
      versionArgs: ['--version'],
    };
    const status = toolStatus(node);
    expect(status).toEqual({ available: true, version: process.version });
    expect(titled('runs', status)).toBe('runs');
  });

  it('says so when a tool is there but fails', () => {
    const saved = process.env.CI;
    try {
      delete process.env.CI;
      const broken: SystemTool = {
        name: 'node',
        command: process.execPath,
        debianPackage: 'nodejs',
        versionArgs: ['--no-such-flag'],
      };
      const status = toolStatus(broken);
      expect(status.available).toBe(false);
      expect(!status.available && status.reason).toMatch(/--no-such-flag failed: /);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
