#!/usr/bin/env python3
"""tests/hardening/exec_window.py: what a job's owner can read of its
process in the moment before it execs the job's program.

    exec_window.py PROGRAM USER SECRET READY OUT [SECONDS]

Run as root. Holds the first execve of PROGRAM (fanotify's
FAN_OPEN_EXEC_PERM, on that file alone) at the point where the process has
its owner's ids but still the memory it had before the execve: the moment
a user who stops their job's process with SIGSTOP right after its setuid
gets at will. There, acting as USER (a child with USER's ids), it reads
the process's /proc/PID/environ and every readable mapping of
/proc/PID/mem up to 256 MiB each (what fs.suid_dumpable = 1 lets the
owner read), then lets the execve go on. READY is created once the mark is
in place. OUT gets one line of words:

    uid=U environ_bytes=N mem_bytes=M secret_in_mem=0|1
    and the environment, NUL-separated, on the lines after it

or "none" when no execve came within SECONDS (default 60). Exit 0 either
way; 2 when fanotify cannot be used here.
"""
import ctypes
import os
import pwd
import select
import struct
import sys

FAN_CLOEXEC = 0x1
FAN_CLASS_CONTENT = 0x4
FAN_MARK_ADD = 0x1
FAN_OPEN_EXEC_PERM = 0x40000
FAN_ALLOW = 0x1
AT_FDCWD = -100
META = struct.Struct("<IBBHQii")  # struct fanotify_event_metadata
REGION_MAX = 256 << 20


def read_as_owner(pid, uid, gid, secret):
    """In a child with UID's ids: the environ and the secret's presence."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        out = b""
        try:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            env = b""
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    env = f.read()
            except OSError as e:
                env = b""
                out += f"environ_error={e.errno} ".encode()
            seen, found = 0, False
            try:
                with open(f"/proc/{pid}/maps") as maps, \
                        open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
                    for line in maps:
                        span, perms = line.split()[:2]
                        lo, hi = (int(x, 16) for x in span.split("-"))
                        if perms[0] != "r" or hi - lo > REGION_MAX:
                            continue
                        try:
                            mem.seek(lo)
                            data = mem.read(hi - lo)
                        except OSError:
                            continue
                        seen += len(data or b"")
                        if data and secret in data:
                            found = True
            except OSError as e:
                out += f"mem_error={e.errno} ".encode()
            out += (f"environ_bytes={len(env)} mem_bytes={seen} "
                    f"secret_in_mem={int(found)}\n").encode() + env
        except Exception as e:  # report, never hang the job
            out += f"error={e!r}\n".encode()
        os.write(w, out)
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    os.waitpid(child, 0)
    return b"".join(chunks)


def main():
    program, user, secret, ready, out = sys.argv[1:6]
    seconds = float(sys.argv[6]) if len(sys.argv) > 6 else 60.0
    pw = pwd.getpwnam(user)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fanotify_init.argtypes = [ctypes.c_uint, ctypes.c_uint]
    libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64,
                                   ctypes.c_int, ctypes.c_char_p]
    fd = libc.fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, os.O_RDONLY)
    if fd < 0 or libc.fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_EXEC_PERM, AT_FDCWD,
                                    program.encode()) < 0:
        print(f"exec_window: fanotify: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        sys.exit(2)
    open(ready, "w").close()
    result = b"none\n"
    if select.select([fd], [], [], seconds)[0]:
        buf = os.read(fd, 4096)
        _, _, _, _, _, efd, pid = META.unpack_from(buf)
        uid = -1
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    uid = int(line.split()[1])
        result = f"uid={uid} ".encode() + read_as_owner(pid, pw.pw_uid, pw.pw_gid,
                                                         secret.encode())
        os.write(fd, struct.pack("<iI", efd, FAN_ALLOW))
        os.close(efd)
    with open(out, "wb") as f:
        f.write(result)


main()
