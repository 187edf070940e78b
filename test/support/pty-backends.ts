import type { PtyBackend } from '../../src/link/pseudo-terminal.ts';
import { SOCAT, titled, toolStatus } from './system-tools.ts';

const socat = toolStatus(SOCAT);

/**
 * Where a test's pseudo-terminals come from, for `describe.each`: node-pty always (npm); socat, the
 * fallback, where Debian's socat is installed (and always in CI: toolStatus throws there without it).
 */
export const PTY_BACKENDS: { backend: PtyBackend; available: boolean; title: string }[] = [
  { backend: 'node-pty', available: true, title: 'node-pty' },
  { backend: 'socat', available: socat.available, title: titled('socat', socat) },
];

/** PTY_BACKENDS as `describe.each` rows whose `%s` is the whole title (`$title` would be cut at 40). */
export const PTY_BACKEND_ROWS = PTY_BACKENDS.map((b) => [b.title, b] as const);
