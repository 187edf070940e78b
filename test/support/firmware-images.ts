/**
 * The firmware image and boot ROM the gated real-firmware tests boot on the emulated RP2040. picogc
 * never ships or fetches either: the tests run when PICOGC_TEST_FIRMWARE and PICOGC_TEST_BOOTROM
 * name them, and are skipped otherwise, saying why in their names.
 */
export const FIRMWARE = process.env.PICOGC_TEST_FIRMWARE;
export const BOOTROM = process.env.PICOGC_TEST_BOOTROM;
export const NO_IMAGES = !FIRMWARE || !BOOTROM;
export const SKIP_REASON = NO_IMAGES
  ? ' [skipped: set PICOGC_TEST_FIRMWARE to a MicroPython RP2040 UF2 and PICOGC_TEST_BOOTROM to a boot ROM read with picogc bootrom]'
  : '';
