import { describe, expect, it } from 'vitest';
import { CrlfCooker, rewriteBanner } from './repl-text.ts';

describe('CrlfCooker', () => {
  const cook = (...chunks: string[]) => {
    const cooker = new CrlfCooker();
    return chunks.map((c) => cooker.cook(Buffer.from(c, 'latin1')).toString('latin1')).join('');
  };

  it('expands a lone \\n to \\r\\n, as rp2 cooks its output', () => {
    expect(cook('42\n\x04\x04>')).toBe('42\r\n\x04\x04>');
    expect(cook('a\nb\n\n')).toBe('a\r\nb\r\n\r\n');
  });

  it('leaves text the VM already cooked alone, also across chunk boundaries', () => {
    expect(cook('Traceback\r\n  File')).toBe('Traceback\r\n  File');
    expect(cook('x\r', '\ny\n')).toBe('x\r\ny\r\n');
    expect(cook('x', '\n')).toBe('x\r\n');
  });
});

describe('rewriteBanner', () => {
  it('names the virtual Pico and keeps the VM version and date', () => {
    expect(
      rewriteBanner(
        '\r\nMicroPython v1.27.0 on 2025-12-10; JS with Emscripten\r\nType "help()" for more information.\r\n>>> ',
      ),
    ).toBe(
      '\r\nMicroPython v1.27.0 on 2025-12-10; picogc virtual Pico with webassembly-pyscript VM\r\nType "help()" for more information.\r\n>>> ',
    );
  });

  it('leaves anything else alone', () => {
    expect(rewriteBanner('print("JS with Emscripten")\r\n')).toBe('print("JS with Emscripten")\r\n');
  });
});
