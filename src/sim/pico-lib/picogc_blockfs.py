# picogc virtual Pico: a filesystem kept on a block device, for VfsLfs2 and VfsFat (picogc_vfs.py).
# The VM has neither littlefs nor FAT in C, so this stores a script's files through its own block
# device (readblocks/writeblocks/ioctl), as both do on a Pico, in picogc's own simple format:
#   block 0: superblock (magic "picogcfs", version, kind, block size and count, table, root)
#   blocks 1..: the allocation table, one little-endian u32 per block: 0 free, else the next
#               block of its chain (0xFFFFFFFF ends a chain, 0xFFFFFFFE is the superblock or table)
#   the rest:   chains of blocks; a directory is a chain of records (kind, name length, size,
#               first block, mtime, name) ended by a record of kind 0; a file is a chain of data.
# A directory keeps its first block for life, so changing it never touches its parent.
import struct

MAGIC = b"picogcfs"
VERSION = 1
KIND_LFS2 = 1
KIND_FAT = 2
FILE = 1
DIR = 2
FREE = 0
END = 0xFFFFFFFF
RESERVED = 0xFFFFFFFE
_SUPER = "<8sBBHIIII"
_RECORD = "<BBIII"
_RECORD_LEN = 14
NAME_MAX = 255

# errno numbers as MicroPython raises them (its errno module names only some of them).
ENOENT = 2
EIO = 5
EACCES = 13
EEXIST = 17
ENODEV = 19
ENOTDIR = 20
EISDIR = 21
EINVAL = 22
ENOSPC = 28
EROFS = 30
ENAMETOOLONG = 36
ENOTEMPTY = 39
ECORRUPT = 84  # littlefs's LFS_ERR_CORRUPT, as VfsLfs2 raises it for a device it cannot mount


class BlockDevice:
    # The device as each filesystem drives it. littlefs (extended interface): init with arg 1,
    # reads at an offset, erases a block (ioctl 6) before writing it. FatFs (simple interface):
    # init with arg 0, whole blocks, 512 bytes when the device does not say its block size.
    def __init__(self, bdev, extended):
        self.bdev = bdev
        self.extended = extended
        bdev.ioctl(1, 1 if extended else 0)
        self.count = bdev.ioctl(4, 0)
        size = bdev.ioctl(5, 0)
        self.size = size if size else 512
        if not self.count:
            raise OSError(EINVAL)

    def read(self, block, buf):
        if self.extended:
            self.bdev.readblocks(block, buf, 0)
        else:
            self.bdev.readblocks(block, buf)

    def write(self, block, buf):
        if self.extended:
            self.bdev.ioctl(6, block)
            self.bdev.writeblocks(block, buf, 0)
        else:
            self.bdev.writeblocks(block, buf)

    def sync(self):
        self.bdev.ioctl(3, 0)


def _table_blocks(size, count):
    return (4 * count + size - 1) // size


def format(dev, kind):
    # Superblock last: a device whose format was cut short does not mount.
    size, count = dev.size, dev.count
    tables = _table_blocks(size, count)
    root = 1 + tables
    if size < 64 or root + 1 > count:
        raise OSError(ENOSPC)
    table = bytearray(tables * size)
    for block in range(root):
        struct.pack_into("<I", table, 4 * block, RESERVED)
    struct.pack_into("<I", table, 4 * root, END)
    dev.write(root, bytearray(size))
    for i in range(tables):
        dev.write(1 + i, table[i * size : (i + 1) * size])
    sb = bytearray(size)
    struct.pack_into(_SUPER, sb, 0, MAGIC, VERSION, kind, 0, size, count, tables, root)
    dev.write(0, sb)
    dev.sync()


def detect(dev):
    # The kind this device was formatted as, or 0.
    sb = bytearray(dev.size)
    dev.read(0, sb)
    magic, version, kind, _, size, count, _, _ = struct.unpack_from(_SUPER, sb)
    if magic != MAGIC or version != VERSION or size != dev.size or count != dev.count:
        return 0
    return kind


class BlockFs:
    def __init__(self, dev, kind, fold_case):
        # Mounts `dev`; raises OSError(ENODEV) if it holds no filesystem of this kind.
        if detect(dev) != kind:
            raise OSError(ENODEV)
        self.dev = dev
        self.fold_case = fold_case
        self.readonly = False
        size = dev.size
        sb = bytearray(size)
        dev.read(0, sb)
        _, _, _, _, _, _, tables, root = struct.unpack_from(_SUPER, sb)
        self.root = root
        self.table = bytearray(tables * size)
        view = memoryview(self.table)
        for i in range(tables):
            dev.read(1 + i, view[i * size : (i + 1) * size])
        self.dirty = set()
        self.hint = root + 1
        self.scratch = bytearray(size)

    # The allocation table.
    def next(self, block):
        return struct.unpack_from("<I", self.table, 4 * block)[0]

    def _set(self, block, value):
        struct.pack_into("<I", self.table, 4 * block, value)
        self.dirty.add(4 * block // self.dev.size)

    def chain(self, first):
        blocks = []
        block = first
        while block != END:
            if block >= self.dev.count or len(blocks) >= self.dev.count:
                raise OSError(EIO)
            blocks.append(block)
            block = self.next(block)
        return blocks

    def free_blocks(self):
        return sum(1 for b in range(self.dev.count) if self.next(b) == FREE)

    def resize(self, blocks, n):
        # Grow or shrink a chain (a list, changed in place) to n blocks; a new chain's first block
        # is blocks[0] afterwards.
        self.writable()
        while len(blocks) > n:
            self._set(blocks.pop(), FREE)
            if blocks:
                self._set(blocks[-1], END)
        count = self.dev.count
        while len(blocks) < n:
            block = self.hint
            for _ in range(count):
                if block >= count:
                    block = 1
                if self.next(block) == FREE:
                    break
                block += 1
            else:
                raise OSError(ENOSPC)
            self._set(block, END)
            if blocks:
                self._set(blocks[-1], block)
            blocks.append(block)
            self.hint = block + 1
        return blocks

    def flush_table(self):
        size = self.dev.size
        for i in sorted(self.dirty):
            self.dev.write(1 + i, self.table[i * size : (i + 1) * size])
        self.dirty = set()

    def writable(self):
        if self.readonly:
            raise OSError(EROFS)

    # Directories: lists of [kind, name, size, first, mtime].
    def read_dir(self, first):
        size = self.dev.size
        data = bytearray()
        for block in self.chain(first):
            self.dev.read(block, self.scratch)
            data.extend(self.scratch)
        entries = []
        pos = 0
        while pos + _RECORD_LEN <= len(data):
            kind, n, fsize, ffirst, mtime = struct.unpack_from(_RECORD, data, pos)
            if kind == 0:
                break
            pos += _RECORD_LEN
            entries.append([kind, str(data[pos : pos + n], "utf-8"), fsize, ffirst, mtime])
            pos += n
        return entries

    def write_dir(self, first, entries):
        size = self.dev.size
        data = bytearray()
        for kind, name, fsize, ffirst, mtime in entries:
            raw = name.encode()
            data.extend(struct.pack(_RECORD, kind, len(raw), fsize, ffirst, mtime))
            data.extend(raw)
        data.extend(bytearray(_RECORD_LEN))  # the record that ends the directory
        blocks = self.resize(self.chain(first), (len(data) + size - 1) // size)
        for i, block in enumerate(blocks):
            piece = data[i * size : (i + 1) * size]
            if len(piece) < size:
                piece.extend(bytearray(size - len(piece)))
            self.dev.write(block, piece)
        self.flush_table()

    def index(self, entries, name):
        if self.fold_case:
            name = name.lower()
        for i, entry in enumerate(entries):
            if (entry[1].lower() if self.fold_case else entry[1]) == name:
                return i
        return -1

    def new_dir(self):
        # A directory's first block, holding no records yet.
        first = self.resize([], 1)[0]
        self.dev.write(first, bytearray(self.dev.size))
        return first

    def find(self, parts):
        # (first block of the directory that holds parts[-1], its entries, parts[-1]'s index or -1).
        first = self.root
        for name in parts[:-1]:
            entries = self.read_dir(first)
            i = self.index(entries, name)
            if i < 0:
                raise OSError(ENOENT)
            if entries[i][0] != DIR:
                raise OSError(ENOTDIR)
            first = entries[i][3]
        entries = self.read_dir(first)
        return first, entries, self.index(entries, parts[-1])

    def update(self, parent, name, size, first, mtime):
        # A file's directory record after it was written (nothing if it was removed meanwhile).
        entries = self.read_dir(parent)
        i = self.index(entries, name)
        if i >= 0:
            entries[i][2:5] = [size, first, mtime]
            self.write_dir(parent, entries)
        else:
            self.flush_table()
