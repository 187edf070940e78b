// Types of fast-decode.mjs (the JavaScript is not type-checked).

export declare function isWide(opcode: number): boolean;

export interface ParsedExecute {
  prologue: string[];
  handlers: { condition: string; body: string[] }[];
  elseBody: string[];
  epilogue: string[];
}
export declare function parseExecuteInstruction(source: string): ParsedExecute;
export declare function decodeTable(handlers: ParsedExecute['handlers']): Uint8Array;
export declare function decodedSource(parsed: ParsedExecute): string;
export declare function batchSource(parsed: ParsedExecute): string;
export declare function buildDecoded(original: () => number): {
  executeInstruction: () => number;
  runBatch: (clock: object, limit: number, batch: number) => number;
};
/** Null when the core got the decoded method, else why rp2040js's own was kept. */
export declare function installFastDecode(core: object): string | null;
