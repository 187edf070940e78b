# picogc virtual Pico: vfs.VfsLfs2 and vfs.VfsFat (also os.VfsLfs2, os.VfsFat) for the webassembly
# VM, which has neither in C. Python classes with the methods MicroPython's VFS layer calls on a
# mounted object (extmod/vfs.c takes any object with mount/open/ilistdir/stat/...), storing files
# through the block device in picogc's own format (picogc_blockfs.py), not littlefs or FAT.
# Importing this module installs them: os and vfs (sys.modules) gain them, and mount() also takes a
# block device and detects which of the two it was formatted as.
import os as _os
import sys as _sys
import vfs as _vfs
import picogc_blockfs as _b
from picogc_blockfs import BlockDevice as _Device, BlockFs as _Fs, DIR as _DIR, FILE as _FILE, END as _END
from picogc_file import File as _File, now as _now

VfsPosix = _vfs.VfsPosix
umount = _vfs.umount
_S_IFDIR = 0x4000
_S_IFREG = 0x8000
_FAT_BAD = '"*:<>?\\|'
_FAT_ROOT_TIME = 946684800  # what VfsFat's stat() gives the root: 2000-01-01


def _split(path):
    parts = []
    for name in path.split("/"):
        if name == "..":
            if parts:
                parts.pop()
        elif name and name != ".":
            parts.append(name)
    return parts


class _Vfs:
    _extended = True
    _kind = 0

    def __init__(self, bdev):
        self._dev = _Device(bdev, self._extended)
        self._fs = None
        self._cwd = []

    def __repr__(self):
        return "<%s>" % type(self).__name__

    def _mounted(self):
        if self._fs is None:
            self._fs = _Fs(self._dev, self._kind, self._kind == _b.KIND_FAT)
        return self._fs

    def _parts(self, path):
        if isinstance(path, bytes):
            path = str(path, "utf-8")
        return _split(path if path.startswith("/") else "/".join(self._cwd) + "/" + path)

    def _name_ok(self, name):
        if len(name.encode()) > _b.NAME_MAX:
            raise OSError(_b.ENAMETOOLONG)

    def _stamp(self, t):
        return t

    # The VFS protocol.
    def mount(self, readonly, mkfs):
        self._mounted().readonly = bool(readonly)

    def umount(self):
        if self._fs is not None:
            self._fs.flush_table()
            self._dev.sync()

    def open(self, path, mode="r"):
        fs = self._mounted()
        readable = writable = append = create = truncate = exclusive = False
        text = True
        chosen = 0
        for ch in mode:
            if ch in "rwxa":
                chosen += 1
            if ch == "r":
                readable = True
            elif ch == "w":
                writable = create = truncate = True
            elif ch == "x":
                writable = create = exclusive = True
            elif ch == "a":
                writable = create = append = True
            elif ch == "+":
                readable = writable = True
            elif ch == "b":
                text = False
        if chosen > 1:
            raise ValueError()
        if chosen == 0:
            readable = True
        parts = self._parts(path)
        if not parts:
            raise OSError(self._open_dir_error())
        parent, entries, i = fs.find(parts)
        if i >= 0 and entries[i][0] == _DIR:
            raise OSError(self._open_dir_error())
        if i >= 0 and exclusive:
            raise OSError(_b.EEXIST)
        if i < 0 and not create:
            raise OSError(_b.ENOENT)
        if writable:
            fs.writable()
        if i < 0:
            self._name_ok(parts[-1])
            entries.append([_FILE, parts[-1], 0, _END, self._stamp(_now())])
            fs.write_dir(parent, entries)
            i = len(entries) - 1
        elif truncate and (entries[i][2] or entries[i][3] != _END):
            fs.resize(fs.chain(entries[i][3]), 0)
            entries[i][2:4] = [0, _END]
            fs.write_dir(parent, entries)
        stamp = (lambda: self._stamp(_now())) if self._records_mtime() else None
        return _File(fs, parent, entries[i][1], entries[i], readable, writable, append, text, stamp, self._denied)

    def ilistdir(self, path=None):
        fs = self._mounted()
        as_bytes = isinstance(path, bytes)
        parts = self._cwd if path is None else self._parts(path)
        first = self._dir_first(fs, parts)
        for kind, name, size, _, _ in fs.read_dir(first):
            yield (name.encode() if as_bytes else name, _S_IFDIR if kind == _DIR else _S_IFREG, 0, size)

    def stat(self, path):
        fs = self._mounted()
        parts = self._parts(path)
        if not parts:
            mode, size, t = _S_IFDIR, 0, self._root_time()
        else:
            _, entries, i = fs.find(parts)
            if i < 0:
                raise OSError(_b.ENOENT)
            kind, _, size, _, t = entries[i]
            mode = _S_IFDIR if kind == _DIR else _S_IFREG
        return (mode, 0, 0, 0, 0, 0, size, t, t, t)

    def statvfs(self, path):
        fs = self._mounted()
        bs = self._dev.size
        free = fs.free_blocks()
        return (bs, bs, self._dev.count, free, free, 0, 0, 0, 0, _b.NAME_MAX)

    def mkdir(self, path):
        fs = self._mounted()
        fs.writable()
        parts = self._parts(path)
        if not parts:
            raise OSError(_b.EEXIST)
        parent, entries, i = fs.find(parts)
        if i >= 0:
            raise OSError(_b.EEXIST)
        self._name_ok(parts[-1])
        entries.append([_DIR, parts[-1], 0, fs.new_dir(), self._stamp(_now())])
        fs.write_dir(parent, entries)

    def remove(self, path):
        self._remove(path, False)

    def rmdir(self, path):
        self._remove(path, True)

    def _remove(self, path, want_dir):
        fs = self._mounted()
        fs.writable()
        parts = self._parts(path)
        if not parts:
            raise OSError(_b.EINVAL)
        parent, entries, i = fs.find(parts)
        if i < 0:
            raise OSError(_b.ENOENT)
        is_dir = entries[i][0] == _DIR
        self._check_remove(is_dir, want_dir)
        if is_dir and fs.read_dir(entries[i][3]):
            raise OSError(self._not_empty_error())
        first = entries[i][3]
        del entries[i]
        fs.write_dir(parent, entries)
        if first != _END:
            fs.resize(fs.chain(first), 0)
            fs.flush_table()

    def rename(self, old, new):
        fs = self._mounted()
        fs.writable()
        old_parts, new_parts = self._parts(old), self._parts(new)
        if not old_parts or not new_parts:
            raise OSError(_b.EINVAL)
        old_parent, old_entries, i = fs.find(old_parts)
        if i < 0:
            raise OSError(_b.ENOENT)
        entry = old_entries[i]
        if entry[0] == _DIR and new_parts[: len(old_parts)] == old_parts and len(new_parts) > len(old_parts):
            raise OSError(_b.EINVAL)  # into itself
        new_parent, new_entries, j = fs.find(new_parts)
        if j >= 0 and not (new_parent == old_parent and j == i):
            target = new_entries[j]
            self._check_replace(entry[0] == _DIR, target[0] == _DIR)
            if target[0] == _DIR and fs.read_dir(target[3]):
                raise OSError(_b.ENOTEMPTY)
            del new_entries[j]
            if target[3] != _END:
                fs.resize(fs.chain(target[3]), 0)
        self._name_ok(new_parts[-1])
        if new_parent == old_parent:
            del new_entries[fs.index(new_entries, entry[1])]
        else:
            del old_entries[i]
            fs.write_dir(old_parent, old_entries)
        new_entries.append([entry[0], new_parts[-1]] + entry[2:])
        fs.write_dir(new_parent, new_entries)

    def chdir(self, path):
        fs = self._mounted()
        parts = self._parts(path)
        self._dir_first(fs, parts)
        self._cwd = parts

    def getcwd(self):
        return "/" + "/".join(self._cwd)

    def _dir_first(self, fs, parts):
        if not parts:
            return fs.root
        _, entries, i = fs.find(parts)
        if i < 0 or entries[i][0] != _DIR:
            raise OSError(_b.ENOENT)
        return entries[i][3]


class VfsLfs2(_Vfs):
    # littlefs v2's interface and errors; readsize, progsize and lookahead are accepted and unused.
    _extended = True
    _kind = _b.KIND_LFS2
    _denied = 9  # LFS_ERR_BADF

    def __init__(self, bdev, readsize=32, progsize=32, lookahead=32, mtime=True):
        super().__init__(bdev)
        self._mtime = mtime
        # littlefs mounts when the object is made; a device it cannot read is LFS_ERR_CORRUPT.
        try:
            self._mounted()
        except OSError as e:
            raise OSError(_b.ECORRUPT) if e.errno == _b.ENODEV else e

    @staticmethod
    def mkfs(bdev, readsize=32, progsize=32, lookahead=32, mtime=True):
        _b.format(_Device(bdev, True), _b.KIND_LFS2)

    def _records_mtime(self):
        return self._mtime

    def _stamp(self, t):
        return t if self._mtime else 0

    def _root_time(self):
        return 0

    def _open_dir_error(self):
        return _b.EISDIR


    def _check_remove(self, is_dir, want_dir):
        pass  # lfs_remove takes a file or an empty directory for both remove() and rmdir()

    def _not_empty_error(self):
        return _b.ENOTEMPTY

    def _check_replace(self, old_is_dir, new_is_dir):
        if old_is_dir != new_is_dir:
            raise OSError(_b.EISDIR if new_is_dir else _b.ENOTDIR)


class VfsFat(_Vfs):
    # FatFs's interface and errors: the simple block interface, names compared without case,
    # times to 2 s. The format is still picogc's own, not FAT.
    _extended = False
    _kind = _b.KIND_FAT
    _denied = _b.EACCES  # FR_DENIED

    def __init__(self, bdev):
        super().__init__(bdev)
        try:
            self._mounted()
        except OSError as e:
            if e.errno != _b.ENODEV:
                raise

    @staticmethod
    def mkfs(bdev):
        _b.format(_Device(bdev, False), _b.KIND_FAT)

    def mount(self, readonly, mkfs):
        if self._fs is None:
            try:
                self._mounted()
            except OSError as e:
                if e.errno != _b.ENODEV or not mkfs:
                    raise
                _b.format(self._dev, _b.KIND_FAT)
        super().mount(readonly, mkfs)

    def _name_ok(self, name):
        super()._name_ok(name)
        if any(c in _FAT_BAD or ord(c) < 32 for c in name):
            raise OSError(_b.EINVAL)

    def _stamp(self, t):
        return t - t % 2

    def _records_mtime(self):
        return True

    def _root_time(self):
        return _FAT_ROOT_TIME

    def _open_dir_error(self):
        return _b.ENOENT

    def _check_remove(self, is_dir, want_dir):
        if is_dir != want_dir:
            raise OSError(_b.ENOTDIR if want_dir else _b.EISDIR)

    def _not_empty_error(self):
        return _b.EACCES  # FatFs's FR_DENIED

    def _check_replace(self, old_is_dir, new_is_dir):
        if new_is_dir:
            raise OSError(_b.EISDIR)  # VfsFat removes an existing target only if it is a file


def _detect(bdev):
    # As extmod/vfs.c's autodetect: littlefs if the extended interface finds it, else FAT.
    try:
        if _b.detect(_Device(bdev, True)) == _b.KIND_LFS2:
            return VfsLfs2(bdev)
    except Exception:
        pass
    return VfsFat(bdev)


def mount(*args, **kwargs):
    if args and not hasattr(args[0], "mount"):
        args = (_detect(args[0]),) + args[1:]
    return _vfs.mount(*args, **kwargs)


_os.VfsLfs2 = VfsLfs2
_os.VfsFat = VfsFat
_os.mount = mount
_sys.modules["vfs"] = _sys.modules[__name__]
