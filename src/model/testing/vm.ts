/**
 * The real MicroPython VM (npm `@micropython/micropython-webassembly-pyscript`, v1.27.0, the
 * pyscript variant) for tests and benchmarks that hold the model against it. One `exec` is one
 * outermost call from JS, so a collection that a script flagged (gc.collect(), the threshold)
 * runs as it returns, as on the virtual Pico.
 */

const VM_PACKAGE = '@micropython/micropython-webassembly-pyscript';

export interface MicroPythonVm {
  /** Runs `code` as one execution; returns what it printed (lines joined with `\n`, `\r` kept). */
  exec(code: string): string;
}

interface PyscriptModule {
  loadMicroPython(options: {
    heapsize: number;
    stdout: (line: string) => void;
    stderr: (line: string) => void;
  }): Promise<{ runPython(code: string): unknown }>;
}

function isPyscriptModule(value: unknown): value is PyscriptModule {
  return typeof (value as { loadMicroPython?: unknown } | null)?.loadMicroPython === 'function';
}

/** A fresh VM whose first heap area gets `heapsize` bytes (`loadMicroPython({heapsize})`). */
export async function loadVm(heapsize: number): Promise<MicroPythonVm> {
  // A non-literal specifier: the package ships no type declarations, its shape is checked here.
  const specifier: string = VM_PACKAGE;
  const module: unknown = await import(specifier);
  if (!isPyscriptModule(module)) throw new Error(`${VM_PACKAGE} has no loadMicroPython()`);
  let lines: string[] = [];
  const vm = await module.loadMicroPython({
    heapsize,
    stdout: (line) => lines.push(line),
    stderr: (line) => lines.push(line),
  });
  return {
    exec(code: string): string {
      lines = [];
      try {
        vm.runPython(code);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(
          `MicroPython raised ${message}\n--- code ---\n${code}\n--- printed ---\n${lines.join('\n')}`,
        );
      }
      return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    },
  };
}
