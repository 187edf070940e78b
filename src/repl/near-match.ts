/**
 * Finding a device's fixed text (a banner, a prompt) that a noisy link may have damaged: a byte
 * changed, lost or added here and there. Waiting for the exact text would wait for good.
 */

/**
 * The first place in `text` (from `from`) where `needle` ends with at most `maxEdits` bytes changed,
 * lost or added, its last byte (a prompt, a line end) arrived as sent: where it starts and ends.
 */
export function nearMatch(
  text: Uint8Array,
  needle: Uint8Array,
  maxEdits: number,
  from = 0,
): { start: number; end: number } | null {
  const last = needle[needle.length - 1];
  const n = needle.length;
  // Edit distance between the needle and the text ending at `end`, the text's start free.
  let row = new Int32Array(n + 1);
  let next = new Int32Array(n + 1);
  const starts = new Int32Array(n + 1);
  const nextStarts = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) [row[i], starts[i]] = [i, from];
  for (let j = from; j < text.length; j++) {
    [next[0], nextStarts[0]] = [0, j + 1];
    for (let i = 1; i <= n; i++) {
      const substitute = row[i - 1]! + (needle[i - 1] === text[j] ? 0 : 1);
      const skipText = row[i]! + 1;
      const skipNeedle = next[i - 1]! + 1;
      const best = Math.min(substitute, skipText, skipNeedle);
      next[i] = best;
      nextStarts[i] =
        best === substitute ? starts[i - 1]! : best === skipText ? starts[i]! : nextStarts[i - 1]!;
    }
    [row, next] = [next, row];
    starts.set(nextStarts);
    if (text[j] === last && row[n]! <= maxEdits) return { start: starts[n]!, end: j + 1 };
  }
  return null;
}
