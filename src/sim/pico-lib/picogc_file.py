# picogc virtual Pico: an open file of VfsLfs2/VfsFat (picogc_vfs.py) on picogc_blockfs. An
# io.IOBase, so C code reads it as a stream too (importing a module from the mounted filesystem,
# print(file=f)). One block is cached; a write reaches the block device when the file leaves that
# block, and the directory record (size, first block, mtime) on flush() or close().
import io
import time
from picogc_blockfs import END

_MP_STREAM_FLUSH = 1
_MP_STREAM_CLOSE = 4


class File(io.IOBase):
    def __init__(self, fs, parent, name, entry, readable, writable, append, text, mtime, denied):
        self._fs = fs
        self._parent = parent
        self._name = name
        self._blocks = fs.chain(entry[3]) if entry[3] != END else []
        self._stored = len(self._blocks)
        self._size = entry[2]
        self._pos = 0
        self._readable = readable
        self._writable = writable
        self._append = append
        self._text = text
        self._mtime = mtime  # a function giving the mtime to record, or None (keep the old one)
        self._old_mtime = entry[4]
        self._denied = denied  # errno for a read of a write-only file or the reverse
        self._bs = fs.dev.size
        self._cache = bytearray(self._bs)
        self._cached = -1
        self._dirty = False
        self._changed = False
        self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def _check(self, allowed=True):
        if self._closed:
            raise ValueError("I/O operation on closed file")
        if not allowed:
            raise OSError(self._denied)

    def _load(self, index):
        if self._cached == index:
            return
        self._spill()
        if index < self._stored:
            self._fs.dev.read(self._blocks[index], self._cache)
        self._cached = index

    def _spill(self):
        if self._dirty:
            self._fs.dev.write(self._blocks[self._cached], self._cache)
            self._stored = max(self._stored, self._cached + 1)
            self._dirty = False

    def _read_bytes(self, n):
        if n < 0 or n > self._size - self._pos:
            n = max(0, self._size - self._pos)
        buf = bytearray(n)
        self._readinto(buf)
        return buf

    def _readinto(self, buf):
        mv = memoryview(buf)
        want = min(len(buf), max(0, self._size - self._pos))
        done = 0
        while done < want:
            index, off = divmod(self._pos, self._bs)
            self._load(index)
            k = min(want - done, self._bs - off)
            mv[done : done + k] = self._cache[off : off + k]
            done += k
            self._pos += k
        return done

    def readinto(self, buf):
        self._check(self._readable)
        return self._readinto(buf)

    def read(self, n=-1):
        self._check(self._readable)
        if not self._text:
            return bytes(self._read_bytes(n))
        if n < 0:
            return str(self._read_bytes(-1), "utf-8")
        # n characters: whole UTF-8 sequences, so keep reading until n lead bytes are in.
        data = self._read_bytes(n)
        while True:
            chars = sum(1 for b in data if b & 0xC0 != 0x80)
            more = n - chars
            if more <= 0 or self._pos >= self._size:
                break
            data.extend(self._read_bytes(more))
        while self._pos < self._size:
            self._load(self._pos // self._bs)
            if self._cache[self._pos % self._bs] & 0xC0 != 0x80:
                break
            data.extend(self._read_bytes(1))
        return str(data, "utf-8")

    def readline(self, limit=-1):
        self._check(self._readable)
        line = bytearray()
        while self._pos < self._size and (limit < 0 or len(line) < limit):
            index, off = divmod(self._pos, self._bs)
            self._load(index)
            end = min(self._bs, off + self._size - self._pos)
            if limit >= 0:
                end = min(end, off + limit - len(line))
            nl = self._cache.find(b"\n", off, end)
            stop = end if nl < 0 else nl + 1
            line.extend(self._cache[off:stop])
            self._pos += stop - off
            if nl >= 0:
                break
        return str(line, "utf-8") if self._text else bytes(line)

    def readlines(self):
        return [line for line in self]

    def write(self, data):
        self._check(self._writable)
        if isinstance(data, str):
            data = data.encode()
        if self._append:
            self._pos = self._size
        if self._pos > self._size:
            # After a seek past the end: the gap reads as zeros.
            end, self._pos = self._pos, self._size
            while self._pos < end:
                self._write(bytearray(min(end - self._pos, self._bs)))
        self._write(data)
        return len(data)

    def _write(self, data):
        mv = memoryview(data)
        total = len(mv)
        need = (self._pos + total + self._bs - 1) // self._bs
        if need > len(self._blocks):
            self._fs.resize(self._blocks, need)
        done = 0
        while done < total:
            index, off = divmod(self._pos, self._bs)
            self._load(index)
            k = min(total - done, self._bs - off)
            self._cache[off : off + k] = mv[done : done + k]
            self._dirty = True
            done += k
            self._pos += k
        self._size = max(self._size, self._pos)
        self._changed = True

    def seek(self, offset, whence=0):
        self._check()
        pos = offset if whence == 0 else self._pos + offset if whence == 1 else self._size + offset
        if pos < 0:
            raise OSError(22)
        self._pos = pos
        return pos

    def tell(self):
        self._check()
        return self._pos

    def flush(self):
        self._check()
        self._spill()
        if self._changed:
            first = self._blocks[0] if self._blocks else END
            mtime = self._mtime() if self._mtime else self._old_mtime
            self._fs.update(self._parent, self._name, self._size, first, mtime)
            self._changed = False
        self._fs.dev.sync()

    def close(self):
        if not self._closed:
            self.flush()
            self._closed = True

    def ioctl(self, request, arg):
        # The C stream protocol's requests (py/stream.h) that a file answers.
        if request == _MP_STREAM_FLUSH:
            self.flush()
            return 0
        if request == _MP_STREAM_CLOSE:
            self.close()
            return 0
        return -1

    def __repr__(self):
        return "<io.%s>" % ("TextIOWrapper" if self._text else "FileIO")


def now():
    return int(time.time())
