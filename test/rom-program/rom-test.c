// The ROM test program: finds every soft-float and soft-double routine and the bit and memory
// routines through the boot ROM's own lookup tables, calls each with fixed vectors (edge cases,
// then a fixed pseudo-random sequence) and prints one line per call on UART0:
//   <table> <index> <r0> <r1> <r2> <r3> = <result r0> <result r1> <cycles>     (all hex)
// The host computes what each result must be and checks the lines (test/rom-program/*.ts).
// No globals (start.S copies no .data): state lives on the stack.
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

struct call { u32 in[4]; u32 out[2]; u32 cycles; };
void call_rom(u32 fn, struct call *c);
void empty_routine(void);

#define UART0_DR (*(volatile u32 *)0x40034000)
#define UART0_FR (*(volatile u32 *)0x40034018)
#define SYST_CSR (*(volatile u32 *)0xe000e010)
#define SYST_RVR (*(volatile u32 *)0xe000e014)
#define SYST_CVR (*(volatile u32 *)0xe000e018)

// The compiler may call these for struct copies and initialisers (there is no C library).
void *memset(void *dest, int c, unsigned n) {
  u8 *d = dest;
  while (n--) *d++ = (u8)c;
  return dest;
}
void *memcpy(void *dest, const void *src, unsigned n) {
  u8 *d = dest;
  const u8 *s = src;
  while (n--) *d++ = *s++;
  return dest;
}

static void put_char(char c) {
  while (UART0_FR & (1u << 5)) {} // TX FIFO full
  UART0_DR = (u8)c;
}
static void put_str(const char *s) { while (*s) put_char(*s++); }
static void put_hex(u32 v) {
  for (int shift = 28; shift >= 0; shift -= 4) put_char("0123456789abcdef"[(v >> shift) & 15]);
}
static void put_sp_hex(u32 v) { put_char(' '); put_hex(v); }

// The ROM's lookup: rom_table_lookup (16-bit pointer at 0x18) over the function table (0x14) or
// the data table (0x16), each keyed by two ASCII letters.
typedef void *(*table_lookup_fn)(const u16 *table, u32 code);
// A code the ROM does not know is reported (and the program stops) rather than called at 0.
static u32 rom_lookup(u32 table_pointer_at, char c1, char c2) {
  table_lookup_fn lookup = (table_lookup_fn)(u32) * (const u16 *)0x18;
  const u16 *table = (const u16 *)(u32) * (const u16 *)table_pointer_at;
  u32 found = (u32)lookup(table, (u32)c1 | ((u32)c2 << 8));
  if (!found) {
    put_str("MISSING ");
    put_char(c1);
    put_char(c2);
    put_char('\n');
    __asm volatile("bkpt #0x1e");
  }
  return found;
}
#define rom_func(a, b) rom_lookup(0x14, a, b)
#define rom_data(a, b) rom_lookup(0x16, a, b)

static u32 next(u32 *state) { // xorshift32
  u32 x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

enum kind { F, FF, FN, FTRIG, I, IN, L, LN };

// What each slot of the soft-float table takes (the soft-double table has the same layout with
// doubles): 255 = a deprecated slot, skipped.
static const u8 KINDS[32] = {
    FF, FF, FF, FF, 255, 255, F, F, FN, F, FN, I, IN, I, IN, FTRIG,
    FTRIG, FTRIG, 255, F, F, FF, FF, L, LN, L, LN, F, FN, F, FN, F};

static const u32 FLOAT_EDGES[] = {0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x7f800000,
                                  0xff800000, 0x7fc00000, 0x00000001, 0x00800000, 0x7f7fffff,
                                  0x4f000000, 0xcf000001, 0x5f000000, 0x3effffff};
static const u32 DOUBLE_EDGE_HIGHS[] = {0x00000000, 0x80000000, 0x3ff00000, 0xbff80000, 0x7ff00000,
                                        0xfff00000, 0x7ff80000, 0x00000001, 0x00100000, 0x7fefffff,
                                        0x41e00000, 0xc1e00000, 0x43e00000, 0x3fdfffff};
static const u32 INT_EDGES[] = {0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x01000001, 0xfeffffff, 3};
#define EDGES 8
#define RANDOM 16

// A float32 of moderate exponent (2^-30 .. 2^30), one in eight anywhere; trig: |x| < 128.
static u32 random_float(u32 *s, int trig) {
  u32 r = next(s), e;
  if (trig) e = 100 + (r >> 26) % 34;
  else if ((r & 7) == 0) e = (r >> 3) & 0xff;
  else e = 97 + (r >> 26) % 61;
  return (r & 0x80000000) | (e << 23) | (next(s) & 0x7fffff);
}
static void random_double(u32 *s, int trig, u32 *lo, u32 *hi) {
  u32 r = next(s), e;
  if (trig) e = 1000 + (r >> 26) % 33;
  else if ((r & 7) == 0) e = (r >> 3) & 0x7ff;
  else e = 963 + (r >> 25) % 121;
  *hi = (r & 0x80000000) | (e << 20) | (next(s) & 0xfffff);
  *lo = next(s);
}
static u32 random_int(u32 *s) { u32 r = next(s); return r >> (next(s) & 31); }

static void vector(int dbl, int kind, int i, u32 *s, u32 *in) {
  int edge = i < EDGES;
  in[0] = in[1] = in[2] = in[3] = 0;
  switch (kind) {
  case F: case FF: case FN: case FTRIG:
    if (!dbl) {
      in[0] = edge && kind != FTRIG ? FLOAT_EDGES[i] : random_float(s, kind == FTRIG);
      if (kind == FF) in[1] = edge ? FLOAT_EDGES[(i + 5) % 14] : random_float(s, 0);
      if (kind == FN) in[1] = (next(s) & 63) - 24;
    } else {
      if (edge && kind != FTRIG) { in[1] = DOUBLE_EDGE_HIGHS[i]; in[0] = i & 1 ? 0 : 1; }
      else random_double(s, kind == FTRIG, &in[0], &in[1]);
      if (kind == FF) {
        if (edge) { in[3] = DOUBLE_EDGE_HIGHS[(i + 5) % 14]; in[2] = 0; }
        else random_double(s, 0, &in[2], &in[3]);
      }
      if (kind == FN) in[2] = (next(s) & 127) - 48;
    }
    if (kind == FTRIG && i == 0) in[0] = in[1] = 0;
    break;
  case I: case IN:
    in[0] = edge ? INT_EDGES[i] : (next(s) & 1 ? random_int(s) : 0u - random_int(s));
    if (kind == IN) in[1] = (next(s) & 63) - 24;
    break;
  case L: case LN:
    in[0] = edge ? INT_EDGES[i] : next(s);
    in[1] = edge ? INT_EDGES[(i + 3) & 7] : random_int(s);
    if (kind == LN) in[2] = (next(s) & 127) - 48;
    break;
  }
}

static void report(const char *tag, u32 index, const struct call *c) {
  put_str(tag);
  put_sp_hex(index);
  for (int k = 0; k < 4; k++) put_sp_hex(c->in[k]);
  put_str(" =");
  put_sp_hex(c->out[0]);
  put_sp_hex(c->out[1]);
  put_sp_hex(c->cycles);
  put_char('\n');
}

static void float_tables(void) {
  for (int dbl = 0; dbl < 2; dbl++) {
    const u32 *table = (const u32 *)(dbl ? rom_data('S', 'D') : rom_data('S', 'F'));
    u32 state = dbl ? 0x9e3779b9u : 0x2545f491u;
    for (u32 index = 0; index < 32; index++) {
      if (KINDS[index] == 255) continue;
      for (int i = 0; i < EDGES + RANDOM; i++) {
        struct call c;
        vector(dbl, KINDS[index], i, &state, c.in);
        call_rom(table[index], &c);
        report(dbl ? "SD" : "SF", index, &c);
      }
    }
  }
}

// popcount32 'P3', reverse32 'R3', clz32 'L3', ctz32 'T3': one argument, one result.
static void bit_routines(void) {
  static const char CODES[4][2] = {{'P', '3'}, {'R', '3'}, {'L', '3'}, {'T', '3'}};
  for (u32 k = 0; k < 4; k++) {
    u32 fn = rom_func(CODES[k][0], CODES[k][1]), state = 0x1234567u + k;
    for (int i = 0; i < 12; i++) {
      struct call c = {{i < 4 ? INT_EDGES[i] : random_int(&state), 0, 0, 0}, {0, 0}, 0};
      call_rom(fn, &c);
      report("B", k, &c);
    }
  }
}

// memset 'MS' (ptr, c, n), memset4 'S4' (ptr, c, n), memcpy 'MC' (dest, src, n), memcpy44 'C4':
// each on a 64-byte buffer on the stack, printed whole after the call (as eight-word lines).
static void memory_routines(void) {
  static const char CODES[4][2] = {{'M', 'S'}, {'S', '4'}, {'M', 'C'}, {'C', '4'}};
  u32 buffer[16], source[16];
  for (u32 k = 0; k < 4; k++) {
    u32 fn = rom_func(CODES[k][0], CODES[k][1]), state = 0xabcdef1u + k;
    for (int i = 0; i < 6; i++) {
      for (int w = 0; w < 16; w++) { buffer[w] = 0x11111111u * (u32)(w & 15); source[w] = next(&state); }
      u32 word_aligned = k == 1 || k == 3;
      u32 offset = word_aligned ? (next(&state) & 3) * 4 : next(&state) & 7;
      // memset4 and memcpy44 take a positive multiple of four bytes.
      u32 count = word_aligned ? ((next(&state) & 7) + 1) * 4 : next(&state) & 31;
      struct call c = {{(u32)buffer + offset, k < 2 ? next(&state) & 0xff : (u32)source + (word_aligned ? 0 : 1), count, 0}, {0, 0}, 0};
      call_rom(fn, &c);
      // Print offsets into the buffers, not stack addresses (each routine returns its destination).
      c.in[0] -= (u32)buffer;
      c.out[0] -= (u32)buffer;
      if (k >= 2) c.in[1] -= (u32)source;
      report("M", k, &c);
      put_str("S");
      for (int w = 0; w < 16; w++) put_sp_hex(source[w]);
      put_str("\nD");
      for (int w = 0; w < 16; w++) put_sp_hex(buffer[w]);
      put_char('\n');
    }
  }
}

int main(void) {
  SYST_RVR = 0xffffff;
  SYST_CVR = 0;
  SYST_CSR = 5; // enabled, counting processor clock cycles
  put_str("ROMTEST 1\n");
  struct call c = {{0, 0, 0, 0}, {0, 0}, 0};
  call_rom((u32)empty_routine, &c);
  put_str("OVERHEAD");
  put_sp_hex(c.cycles);
  put_char('\n');
  float_tables();
  bit_routines();
  memory_routines();
  put_str("DONE\n");
  return 0;
}
