// Types of fast-decode.mjs (the JavaScript is not type-checked).

export declare function isWide(opcode: number): boolean;

export interface ParsedExecute {
  prologue: string[];
  handlers: { condition: string; body: string[] }[];
  elseBody: string[];
  epilogue: string[];
}
export declare function parseExecuteInstruction(source: string): ParsedExecute;
export declare function decodeTable(handlers: ParsedExecute['handlers']): Int8Array;
export declare function decodedSource(parsed: ParsedExecute): string;
export declare function buildDecodedExecute(original: () => number): () => number;
/** Null when the core got the decoded method, else why rp2040js's own was kept. */
export declare function installFastDecode(core: object): string | null;
