# picogc virtual Pico: input() as a Pico runs it, over sys.stdin. The VM's own input() reads through
# a stdin stub that returns 0 for ever (ports/webassembly/mphalport.h), so it would hang; this one
# follows shared/readline/readline.c for what matters to a script: the prompt, echo of printable
# characters, backspace, Enter (\r) ends the line, Ctrl-C raises KeyboardInterrupt, Ctrl-D on an
# empty line raises EOFError, Ctrl-A/B/E on an empty line end it empty. Escape sequences (cursor
# keys, history) are read and ignored; tab completion and Emacs keys are not there.
import builtins
import sys


def _input(prompt=None):
    out = sys.stdout
    if prompt is not None:
        out.write(str(prompt))
    line = []
    escape = 0  # 1 after ESC, 2 inside ESC [ or ESC O
    while True:
        c = sys.stdin.buffer.read(1)[0]
        if escape == 1:
            escape = 2 if c in (0x5B, 0x4F) else 0
            continue
        if escape == 2:
            if 0x40 <= c <= 0x7E:
                escape = 0
            continue
        if c == 0x0D:
            out.write("\r\n")
            return "".join(line)
        if c == 0x03:
            raise KeyboardInterrupt
        if c in (0x01, 0x02, 0x04, 0x05) and not line:
            if c == 0x04:
                raise EOFError
            return ""
        if c == 0x1B:
            escape = 1
        elif c in (0x08, 0x7F):
            if line:
                line.pop()
                out.write("\b\x1b[K")
        elif 0x20 <= c <= 0x7E:
            line.append(chr(c))
            out.write(chr(c))


builtins.input = _input
