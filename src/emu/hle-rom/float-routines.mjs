// PLACEHOLDER (the soft-float and soft-double routines are being written in another change): the
// tables' shape, in the B1 ROM's order (RP2040 datasheet §2.8.3.2), with every routine throwing
// "not yet", so the written ROM's tables, traps and dispatch can be built and tested around them.
// A slot the B1 ROM keeps only for compatibility (deprecated) is null.

const FLOAT_NAMES = [
  'fadd',
  'fsub',
  'fmul',
  'fdiv',
  'fcmp_fast',
  'fcmp_fast_flags',
  'fsqrt',
  'float2int',
  'float2fix',
  'float2uint',
  'float2ufix',
  'int2float',
  'fix2float',
  'uint2float',
  'ufix2float',
  'fcos',
  'fsin',
  'ftan',
  null,
  'fexp',
  'fln',
  'fcmp',
  'fatan2',
  'int642float',
  'fix642float',
  'uint642float',
  'ufix642float',
  'float2int64',
  'float2fix64',
  'float2uint64',
  'float2ufix64',
  'float2double',
];
const DOUBLE_NAMES = [
  'dadd',
  'dsub',
  'dmul',
  'ddiv',
  'dcmp_fast',
  'dcmp_fast_flags',
  'dsqrt',
  'double2int',
  'double2fix',
  'double2uint',
  'double2ufix',
  'int2double',
  'fix2double',
  'uint2double',
  'ufix2double',
  'dcos',
  'dsin',
  'dtan',
  null,
  'dexp',
  'dln',
  'dcmp',
  'datan2',
  'int642double',
  'fix642double',
  'uint642double',
  'ufix642double',
  'double2int64',
  'double2fix64',
  'double2uint64',
  'double2ufix64',
  'double2float',
];

const notYet = (name) =>
  name === null
    ? null
    : {
        name,
        run() {
          throw new Error(`${name}: not yet`);
        },
        cycles() {
          return 0;
        },
      };

export const SOFT_FLOAT_TABLE = FLOAT_NAMES.map(notYet);
export const SOFT_DOUBLE_TABLE = DOUBLE_NAMES.map(notYet);
