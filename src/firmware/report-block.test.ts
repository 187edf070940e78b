import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirmwareMismatchError, type FlashResult } from './flash-result.ts';
import { verifyImage } from './verify-image.ts';
import { emulatorFirmwareBlockFor, firmwareBlockSchema, firmwareReportBlock } from './report-block.ts';
import { fakeMicroPythonImage, writeUf2 } from './uf2-writer.ts';

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'picogc-block-'));
  file = join(dir, 'build.uf2');
  await writeFile(file, writeUf2(fakeMicroPythonImage({ version: 'v1.28.0-3-gbeef', size: 4096 })));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EXPECTED = 'v1.28.0-3-gbeef on 2026-04-06 (GNU 12.2.1 MinSizeRel)';

async function result(deviceBuild: string, confirmed: boolean): Promise<FlashResult> {
  return {
    image: await verifyImage(file, 'nightly 42'),
    method: 'drive',
    drive: '/media/me/RPI-RP2',
    before: { port: '/dev/ttyACM0', usbSerial: 'E660', buildString: 'v1.27.0 on 2025-12-09' },
    after: { port: '/dev/ttyACM1', usbSerial: 'E660', buildString: deviceBuild },
    confirmed,
    steps: [{ step: 'verify', ms: 3, detail: 'ok' }],
    startedAt: '2026-11-24T10:00:00.000Z',
  };
}

describe('the firmware block of the report', () => {
  it('records the image, the label, how it was flashed and that the board was confirmed', async () => {
    const block = firmwareBlockSchema.parse(firmwareReportBlock(await result(EXPECTED, true)));
    expect(block).toMatchObject({
      label: 'nightly 42',
      file,
      version: 'v1.28.0-3-gbeef',
      expectedBuild: EXPECTED,
      target: 'board',
      method: 'drive',
      deviceBuild: EXPECTED,
      confirmed: true,
      flashedAt: '2026-11-24T10:00:00.000Z',
    });
    expect(block.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a mismatch keeps its result: the block says not confirmed and what the board reported', async () => {
    const error = new FirmwareMismatchError(await result('v1.27.0 on 2025-12-09', false));
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('"v1.27.0 on 2025-12-09"');
    expect(error.message).toContain(JSON.stringify(EXPECTED));
    expect(firmwareReportBlock(error.result)).toMatchObject({
      confirmed: false,
      deviceBuild: 'v1.27.0 on 2025-12-09',
    });
  });

  it('for the emulator: loaded, not flashed; confirmed only by the build the chip reports', async () => {
    expect(await emulatorFirmwareBlockFor(file, EXPECTED)).toMatchObject({
      target: 'emulator',
      method: 'emulator',
      confirmed: true,
      steps: [],
    });
    expect(await emulatorFirmwareBlockFor(file, undefined)).toMatchObject({
      confirmed: false,
      deviceBuild: null,
    });
  });
});
