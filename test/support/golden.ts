import { z } from 'zod';

/** The runs each golden build is recorded in, and how a test replays them: the same arguments. */
export const GOLDEN_RUNS = [
  { name: 'validate', args: ['validate'] },
  { name: 'run-quick', args: ['run', '--quick', '--no-history'] },
] as const;

/** test/golden/manifest.json: which build each recording came from. */
export const goldenManifestSchema = z.object({
  recordings: z.array(
    z.object({
      /** Relative to test/golden. */
      file: z.string(),
      run: z.string(),
      /** What the recorded run exited with on the emulated chip. */
      exitCode: z.number().int(),
      firmware: z.object({ version: z.string(), build: z.string(), sha256: z.string(), file: z.string() }),
      recordedAt: z.string(),
    }),
  ),
});
export type GoldenManifest = z.infer<typeof goldenManifestSchema>;
