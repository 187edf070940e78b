import { crc32 } from 'node:zlib';
import { uncheckedSource } from '../../src/device/verified-exec.ts';
import { bytesOf, type Recording } from '../../src/link/recording.ts';
import { BYTE, RAW_PASTE_REQUEST } from '../../src/protocol/raw-repl-vocabulary.ts';

/**
 * A recording whose device answers were changed, as a regression in the firmware would change them.
 * Each answer (the device's bytes between two host writes) is handed to `edit` with the code of
 * the exec it answers (the code inside a checked call, as the script wrote it); the host side is
 * left as recorded, so the replayed host must still send exactly what it sent.
 */
export function editAnswers(recording: Recording, edit: (code: string, answer: string) => string): Recording {
  const host = bytesOf(recording, 'h');
  const events: Recording['events'] = [];
  let sent = 0;
  let group: { t: number; after: number; text: string } | undefined;
  const flush = () => {
    if (!group) return;
    const answer = edit(codeBefore(host, group.after), group.text);
    events.push([group.t, 'd', Buffer.from(answer, 'latin1').toString('base64')]);
    group = undefined;
  };
  for (const event of recording.events) {
    const bytes = Buffer.from(event[2], 'base64');
    if (event[1] === 'h') {
      flush();
      events.push(event);
      sent += bytes.length;
    } else {
      group ??= { t: event[0], after: sent, text: '' };
      group.text += bytes.toString('latin1');
    }
  }
  flush();
  return { ...recording, events };
}

/** The code of the last exec the host had sent by `offset` (raw-paste), '' before any. */
function codeBefore(host: Buffer, offset: number): string {
  const start = host.lastIndexOf(RAW_PASTE_REQUEST, offset - 1);
  if (start < 0) return '';
  const end = host.indexOf(BYTE.CTRL_D, start);
  const call = host.subarray(start + RAW_PASTE_REQUEST.length, end < 0 || end > offset ? offset : end);
  return (uncheckedSource(call) ?? call).toString('utf8');
}

/**
 * An answer with each data-line part's text passed through `edit` and its CRC-32 made again, as a
 * device that really answered so would have sent it (a part must keep its length).
 */
export function editDataParts(answer: string, edit: (text: string) => string): string {
  return answer.replace(
    /^(@picogc \d+\.\d+\/\d+ )([0-9a-f]{8}) (.*)$/gm,
    (line, head: string, crc: string, text: string) => {
      const edited = edit(text);
      if (edited === text) return line;
      if (edited.length !== text.length) throw new Error('an edited data-line part must keep its length');
      return `${head}${(crc32(Buffer.from(edited, 'utf8')) >>> 0).toString(16).padStart(8, '0')} ${edited}`;
    },
  );
}
