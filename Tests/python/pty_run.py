"""Runs a program on a pseudo-terminal of the given width and prints what it showed.

Usage: pty_run.py COLUMNS PROGRAM [ARGS…]
"""
import fcntl, os, pty, struct, sys, termios

columns = int(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    # The size is set on the terminal before the program runs: set by the parent after the fork,
    # a program that starts fast reads the size before it is there.
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    os.execv(sys.argv[2], sys.argv[2:])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode().replace("\r\n", "\n"))
sys.exit(os.waitstatus_to_exitcode(status))
