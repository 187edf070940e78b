import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplDriver } from './testing.ts';
import { VirtualPico } from './virtual-pico.ts';

/**
 * os.VfsLfs2 and os.VfsFat on the virtual Pico (src/sim/pico-lib/), through the real server and VM,
 * over a RAM block device as MicroPython's filesystem docs write one (both interfaces).
 */
const RAM_BLOCK_DEV = `class RAMBlockDev:
    def __init__(self, block_size, num_blocks):
        self.block_size = block_size
        self.data = bytearray(block_size * num_blocks)
        self.erased = 0
    def readblocks(self, block_num, buf, offset=0):
        addr = block_num * self.block_size + offset
        for i in range(len(buf)):
            buf[i] = self.data[addr + i]
    def writeblocks(self, block_num, buf, offset=None):
        if offset is None:
            for i in range(len(buf) // self.block_size):
                self.ioctl(6, block_num + i)
            offset = 0
        addr = block_num * self.block_size + offset
        for i in range(len(buf)):
            self.data[addr + i] = buf[i]
    def ioctl(self, op, arg):
        if op == 4:
            return len(self.data) // self.block_size
        if op == 5:
            return self.block_size
        if op == 6:
            self.erased += 1
            return 0
`;

/** The docs' simple-interface device: whole blocks only, no offset, no erase. */
const SIMPLE_BLOCK_DEV = `class SimpleDev:
    def __init__(self, block_size, num_blocks):
        self.block_size = block_size
        self.data = bytearray(block_size * num_blocks)
    def readblocks(self, block_num, buf):
        for i in range(len(buf)):
            buf[i] = self.data[block_num * self.block_size + i]
    def writeblocks(self, block_num, buf):
        for i in range(len(buf)):
            self.data[block_num * self.block_size + i] = buf[i]
    def ioctl(self, op, arg):
        if op == 4:
            return len(self.data) // self.block_size
        if op == 5:
            return self.block_size
`;

describe('filesystems on a block device', () => {
  let pico: VirtualPico;
  let repl: ReplDriver;

  beforeAll(async () => {
    pico = await VirtualPico.start();
    repl = new ReplDriver(pico.link);
    await repl.until('>>> ');
    await repl.enterRaw();
  });

  afterAll(async () => {
    await pico.close();
  });

  it('the Python surface is imported only for an execution that names it: other heaps stay as they were', async () => {
    expect(await repl.run('import sys\nprint("picogc_vfs" in sys.modules, "os" in sys.modules)')).toBe(
      'False False\r\n',
    );
  });

  it('a RAM disk: VfsLfs2.mkfs, os.mount, open/write/read, listdir, stat, remove, through the device', async () => {
    const out = await repl.run(
      `${RAM_BLOCK_DEV}
import os
bdev = RAMBlockDev(512, 50)
blank = bytes(bdev.data)
os.VfsLfs2.mkfs(bdev)
os.mount(os.VfsLfs2(bdev), '/ramdisk')
with open('/ramdisk/x.txt', 'w') as f:
    f.write('hello from the ram disk')
print(open('/ramdisk/x.txt').read())
print(os.listdir('/ramdisk'), os.stat('/ramdisk/x.txt')[:7])
print(bytes(bdev.data) != blank, bytes(bdev.data).find(b'hello from the ram disk') > 0, bdev.erased > 0)
os.remove('/ramdisk/x.txt')
print(os.listdir('/ramdisk'))
`,
    );
    expect(out).toBe(
      ['hello from the ram disk', "['x.txt'] (32768, 0, 0, 0, 0, 0, 23)", 'True True True', '[]', ''].join(
        '\r\n',
      ),
    );
  });

  it('what was written is read back from the device after umount, by a new VfsLfs2 or os.mount(bdev)', async () => {
    const out = await repl.run(`import os
os.mkdir('/ramdisk/d')
with open('/ramdisk/d/big.bin', 'wb') as f:
    for i in range(20):
        f.write(bytes([i]) * 100)
os.umount('/ramdisk')
os.mount(bdev, '/again')
with open('/again/d/big.bin', 'rb') as f:
    f.seek(1095)
    print(f.read(10), f.tell())
print(os.stat('/again/d')[0], os.stat('/again/d/big.bin')[6], os.listdir('/again'))
print(type(os.VfsLfs2(bdev)).__name__, os.statvfs('/again')[:4])
os.umount('/again')
`);
    expect(out).toBe(
      [
        "b'\\n\\n\\n\\n\\n\\x0b\\x0b\\x0b\\x0b\\x0b' 1105",
        "16384 2000 ['d']",
        // 50 blocks: superblock, table, root, the directory d and 2000 bytes in 4 blocks are used.
        'VfsLfs2 (512, 512, 50, 42)',
        '',
      ].join('\r\n'),
    );
  });

  it('errors are the OSErrors littlefs gives', async () => {
    const out = await repl.run(`import os
def err(f, *a):
    try:
        f(*a)
        return 'ok'
    except OSError as e:
        return e.errno
b = RAMBlockDev(512, 20)
print(err(os.VfsLfs2, b))
os.VfsLfs2.mkfs(b)
os.mount(b, '/e')
os.mkdir('/e/d')
open('/e/d/f', 'w').close()
print(err(open, '/e/nope'), err(os.mkdir, '/e/d'), err(os.rmdir, '/e/d'), err(open, '/e/d'), err(open, '/e/d/f', 'x'))
print(err(open('/e/d/f', 'w').read), err(os.remove, '/e/d/f'), err(os.remove, '/e/d/f'), err(os.rmdir, '/e/d'))
os.umount('/e')
`);
    expect(out).toBe(['84', '2 17 39 21 17', '9 ok 2 ok', ''].join('\r\n'));
  });

  it('VfsFat: the simple interface, ENODEV until formatted, names without case, vfs.mount', async () => {
    const out = await repl.run(`${SIMPLE_BLOCK_DEV}
import vfs, os
sd = SimpleDev(512, 64)
try:
    vfs.mount(sd, '/fat')
except OSError as e:
    print(e)
vfs.VfsFat.mkfs(sd)
vfs.mount(sd, '/fat')
with open('/fat/Hello.TXT', 'w') as f:
    f.write('fat')
print(os.listdir('/fat'), open('/fat/hello.txt').read(), os.stat('/fat')[7])
print([m[1] for m in vfs.mount()], vfs.VfsFat is os.VfsFat)
vfs.umount('/fat')
`);
    expect(out).toBe(
      ['[Errno 19] ENODEV', "['Hello.TXT'] fat 946684800", "['/fat', '/'] True", ''].join('\r\n'),
    );
  });

  it('a module on the mounted filesystem imports; text files read by line and by character', async () => {
    const out = await repl.run(`import os, sys
b = RAMBlockDev(256, 40)
os.VfsLfs2.mkfs(b)
os.mount(b, '/m')
with open('/m/mod.py', 'w') as f:
    f.write('X = 42\\n')
with open('/m/t.txt', 'w') as f:
    print('line one', file=f)
    f.write('caf\\u00e9\\nlast')
sys.path.append('/m')
import mod
with open('/m/t.txt') as f:
    print(mod.X, f.read(4), repr(f.readline()), [len(l) for l in f])
os.chdir('/m')
print(os.getcwd(), sorted(os.listdir()))
os.chdir('/')
sys.path.remove('/m')
os.umount('/m')
`);
    expect(out).toBe(["42 line ' one\\n' [5, 4]", "/m ['mod.py', 't.txt']", ''].join('\r\n'));
  });
});
