/**
 * The UF2 family ids of Raspberry Pi's RP2 boot ROMs, named as `picotool uf2 convert --family` names them.
 * The numbers are from the pico-sdk's `boot/uf2.h` and the RP2040/RP2350 datasheets ("UF2 Format
 * Details" / "UF2 Targeting Rules"). picogc only knows how flash is laid out on these chips, so any other
 * family (ESP32, SAMD51, …) is treated as "not for a Pico".
 */
export const RP2_FAMILY_NAMES = [
  'rp2040',
  'absolute',
  'data',
  'rp2350-arm-s',
  'rp2350-riscv',
  'rp2350-arm-ns',
] as const;

export type Rp2FamilyName = (typeof RP2_FAMILY_NAMES)[number];

export interface Rp2Family {
  readonly name: Rp2FamilyName;
  readonly id: number;
  readonly description: string;
  /** Which boot ROM takes blocks of this family: the RP2040's takes only its own id. */
  readonly chips: readonly ('RP2040' | 'RP2350')[];
}

export const RP2_FAMILIES: readonly Rp2Family[] = [
  { name: 'rp2040', id: 0xe48bff56, description: 'Raspberry Pi RP2040', chips: ['RP2040'] },
  {
    name: 'absolute',
    id: 0xe48bff57,
    description: 'RP2 absolute (written at its addresses, no partition)',
    chips: ['RP2350'],
  },
  { name: 'data', id: 0xe48bff58, description: 'RP2 data', chips: ['RP2350'] },
  { name: 'rp2350-arm-s', id: 0xe48bff59, description: 'Raspberry Pi RP2350, Arm Secure', chips: ['RP2350'] },
  { name: 'rp2350-riscv', id: 0xe48bff5a, description: 'Raspberry Pi RP2350, RISC-V', chips: ['RP2350'] },
  {
    name: 'rp2350-arm-ns',
    id: 0xe48bff5b,
    description: 'Raspberry Pi RP2350, Arm Non-secure',
    chips: ['RP2350'],
  },
];

export function familyById(id: number): Rp2Family | undefined {
  return RP2_FAMILIES.find((family) => family.id === id);
}

export function familyByName(name: string): Rp2Family | undefined {
  return RP2_FAMILIES.find((family) => family.name === name);
}

export function isRp2FamilyName(name: string): name is Rp2FamilyName {
  return (RP2_FAMILY_NAMES as readonly string[]).includes(name);
}

/** `0xe48bff56`: how the id is written in the SDK and in error messages. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** `rp2040 (0xe48bff56)`, or just the hex number for a family picogc does not know. */
export function describeFamily(id: number): string {
  const family = familyById(id);
  return family ? `${family.name} (${hex32(id)})` : hex32(id);
}
