// The ROM's flash routines (IF, EX, RE, RP, FC, CX; RP2040 datasheet §2.8.3.1.3). rp2040js does not
// model the QSPI flash behind the SSI, so erase and program are done on the chip's flash array (the
// same work the --bootrom path's host-side hooks do, emu-worker.mjs), and connect, XIP exit/enter and
// cache flush, which would only touch the SSI and the cache, return at once. Each costs one cycle,
// as the hooked real ROM's do: flash timing is not modelled either way (EMU_DIFFERENCES).

const INSTANT = 1;

const returnAtOnce = (code, name) => ({ code, name, call: () => INSTANT });

export const FLASH_ROUTINES = [
  returnAtOnce('IF', 'connect_internal_flash'),
  returnAtOnce('EX', 'flash_exit_xip'),
  {
    code: 'RE',
    name: 'flash_range_erase',
    // (addr, count, block_size, block_cmd): addr and count are offsets into the flash.
    call(chip) {
      const [start, count] = chip.registers;
      const end = Math.min(chip.flash.length, start + count);
      if (start < end) chip.flash.fill(0xff, start, end);
      chip.flashWritten();
      return INSTANT;
    },
  },
  {
    code: 'RP',
    name: 'flash_range_program',
    // (addr, data, count): NOR flash only clears bits.
    call(chip) {
      const [start, data, count] = chip.registers;
      const { flash } = chip;
      for (let i = 0; i < count && start + i < flash.length; i++)
        flash[start + i] &= chip.readUint8(data + i);
      chip.flashWritten();
      return INSTANT;
    },
  },
  returnAtOnce('FC', 'flash_flush_cache'),
  returnAtOnce('CX', 'flash_enter_cmd_xip'),
];
