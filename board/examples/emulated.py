"""Boot one of board/examples/ in QEMU for a check script, as board/run.sh
boots the board: the user network with port 80 forwarded to a free port on
127.0.0.1, the UART to a file or to nowhere. QEMU is stopped by its pidfile
whatever the outcome.

    with emulated.booted("net_echo", uart=True) as (port, uart, pidfile):
        ...
"""
import contextlib, os, signal, socket, subprocess, tempfile

BOARD = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def booted(example, uart=False):
    """Build `example` and boot it; yields (port, UART file or None, pidfile)."""
    subprocess.run(["cargo", "build", "-q", "--release", "--example", example], cwd=BOARD, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(BOARD, "target"))
    elf = os.path.join(target, "thumbv7em-none-eabihf", "release", "examples", example)
    port = free_port()
    tmp = tempfile.mkdtemp()
    log, pidfile = (os.path.join(tmp, "uart.txt") if uart else None), os.path.join(tmp, "qemu.pid")
    qemu = subprocess.Popen([
        "qemu-system-arm", "-machine", "mps2-an386", "-cpu", "cortex-m4", "-nographic", "-monitor", "none",
        "-serial", f"file:{log}" if log else "null", "-nic", f"user,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:80",
        "-pidfile", pidfile, "-kernel", elf,
    ], stdin=subprocess.DEVNULL)
    try:
        yield port, log, pidfile
    finally:
        try:
            os.kill(int(open(pidfile).read()), signal.SIGTERM)
        except (OSError, ValueError):
            qemu.kill()
        qemu.wait()
