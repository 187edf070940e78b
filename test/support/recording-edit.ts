import { codeAt } from '../../src/device/recorded.ts';
import { partCrc } from '../../src/device/verified-exec.ts';
import { bytesOf, type Recording } from '../../src/link/recording.ts';
import { RAW_PASTE_REQUEST } from '../../src/protocol/raw-repl-vocabulary.ts';

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

/** The code of the last exec the host had sent by `offset`, '' before any. */
function codeBefore(host: Buffer, offset: number): string {
  if (host.lastIndexOf(RAW_PASTE_REQUEST, offset - 1) < 0) return '';
  return codeAt(host, offset).toString('utf8');
}

/**
 * An answer with each data-line part's text passed through `edit` and its CRC-32 made again, as a
 * device that really answered so would have sent it (a part must keep its length).
 */
export function editDataParts(answer: string, edit: (text: string) => string): string {
  return answer.replace(
    /^@picogc (\d+\.\d+\/\d+) ([0-9a-f]{8}) (.*)$/gm,
    (line, number: string, crc: string, text: string) => {
      const edited = edit(text);
      if (edited === text) return line;
      if (edited.length !== text.length) throw new Error('an edited data-line part must keep its length');
      return `@picogc ${number} ${partCrc(number, edited).toString(16).padStart(8, '0')} ${edited}`;
    },
  );
}
