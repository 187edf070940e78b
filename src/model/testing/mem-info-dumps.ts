import { parseMemInfo, type ParsedMemInfo } from '../../meminfo/parse.ts';

/** Every `micropython.mem_info(1)` dump in one execution's output, in order, with its exact text. */
export function memInfoDumps(output: string): { info: ParsedMemInfo; text: string }[] {
  const dumps: { info: ParsedMemInfo; text: string }[] = [];
  let rest = output;
  while (rest !== '') {
    const info = parseMemInfo(rest, { allowTrailing: true });
    dumps.push({ info, text: rest.slice(0, rest.length - info.trailing.length) });
    rest = info.trailing;
  }
  return dumps;
}
