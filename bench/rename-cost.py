#!/usr/bin/env python3
"""What replacing a large file by rename costs on this filesystem, with and without its blocks reserved.

    python3 bench/rename-cost.py FILE [ROUNDS]

Copies FILE (e.g. a pack of the JDK, 215 MB) next to itself as a fresh file, then renames that over an
older copy, as `patchwright pack` replaces its output; once written plainly and once into blocks
reserved first with posix_fallocate (what the packer does through util-linux's fallocate). On ext4
with auto_da_alloc (the default), the rename over an existing file first allocates the new file's
delayed blocks and starts their writeback; reserved blocks are not delayed.
"""
import os
import sys
import time


def copy(src, dst, reserve):
    size = os.path.getsize(src)
    fi = os.open(src, os.O_RDONLY)
    fo = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if reserve:
            os.posix_fallocate(fo, 0, size)
        done = 0
        while done < size:
            done += os.copy_file_range(fi, fo, size - done, done, done)
    finally:
        os.close(fi)
        os.close(fo)


def main():
    src = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    old, new = src + ".rename-old", src + ".rename-new"
    try:
        for _ in range(rounds):
            for reserve in (False, True):
                copy(src, old, False)
                time.sleep(0.5)
                started = time.monotonic()
                copy(src, new, reserve)
                written = time.monotonic()
                held = os.open(old, os.O_RDONLY)  # as the packer holds the last pack: the rename frees nothing
                os.rename(new, old)
                renamed = time.monotonic()
                os.close(held)
                print(f"reserved={reserve!s:5} write {written - started:.3f} s  rename {renamed - written:.3f} s")
    finally:
        for path in (old, new):
            if os.path.exists(path):
                os.unlink(path)


if __name__ == "__main__":
    main()
