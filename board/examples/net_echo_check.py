#!/usr/bin/env python3
"""Boot examples/net_echo.rs in QEMU and check it from the host.

    python3 board/examples/net_echo_check.py

Builds the example, boots it as board/run.sh boots the board (user network,
port 80 forwarded to a free port on 127.0.0.1, UART to a file), and checks:
the boot lines on the UART; 4 connections at once, each echoing 64 KiB of
random bytes exactly; a fifth refused while those 4 are open; 20 connections
one after another (each socket goes back through TIME-WAIT to listening);
every connection logged on the UART. Then it prints figures for the README:
host CPU while idle, TCP echo round trips, the stack's high-water mark.
QEMU is booted and stopped by emulated.py."""
import os, random, socket, sys, threading, time

import emulated

SOCKETS = 4


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def echo_bulk(port, n, errors):
    """Send n random bytes and read them back, from a second thread."""
    data = random.randbytes(n)
    s = connect(port)
    got = bytearray()

    def reader():
        while len(got) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            got.extend(chunk)

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    t.join(30)
    if bytes(got) != data:
        errors.append(f"bulk echo: {len(got)} of {n} bytes, equal prefix: {got == data[:len(got)]}")
    return s


def refused(port):
    """A connection no socket listens for: slirp accepts it on the host side,
    then the board's RST closes it; it must not echo."""
    s = connect(port)
    s.settimeout(3)
    try:
        s.sendall(b"x")
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        return True
    finally:
        s.close()


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def main():
    errors = []
    with emulated.booted("net_echo", uart=True) as (port, uart, pidfile):
        for _ in range(100):
            if os.path.exists(uart) and "echo sockets on port 80" in open(uart, errors="replace").read():
                break
            time.sleep(0.1)
        log = open(uart, errors="replace").read()
        if "net_echo: 10.0.2.15, 4 echo sockets on port 80" not in log:
            sys.exit(f"net_echo: no boot lines on the UART:\n{log}")

        held = [None] * SOCKETS
        threads = [threading.Thread(target=lambda i=i: held.__setitem__(i, echo_bulk(port, 65536, errors)))
                   for i in range(SOCKETS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        if not refused(port):
            errors.append(f"a connection beyond {SOCKETS} was echoed")
        for s in held:
            if s:
                s.close()
        time.sleep(0.5)
        for i in range(20):
            with connect(port) as s:
                msg = f"session {i}".encode()
                s.sendall(msg)
                if s.recv(100) != msg:
                    errors.append(f"session {i} not echoed")
        time.sleep(0.5)
        log = open(uart, errors="replace").read()
        connected = log.count(" connected")
        if connected != SOCKETS + 20:
            errors.append(f"{connected} connections on the UART, not {SOCKETS + 20}")
        if errors:
            print("\n".join(errors))
            print(log)
            sys.exit(1)
        print(f"net_echo: OK: {SOCKETS} x 64 KiB echoed at once, #{SOCKETS + 1} refused, 20 in a row")

        # Figures (for the README, not checked).
        with connect(port) as s:
            rtts = []
            for _ in range(1050):
                t = time.perf_counter()
                s.sendall(b"Z" * 32)
                n = 0
                while n < 32:
                    n += len(s.recv(64))
                rtts.append((time.perf_counter() - t) * 1e6)
        rtts = sorted(rtts[50:])
        print(f"net_echo: TCP echo round trip, 32 B: p50 {rtts[500]:.0f} us, p99 {rtts[990]:.0f} us")
        pid = int(open(pidfile).read())
        time.sleep(1)
        before, t = cpu_ticks(pid), time.time()
        time.sleep(5)
        ticks, secs = cpu_ticks(pid) - before, time.time() - t
        hz = os.sysconf("SC_CLK_TCK")
        print(f"net_echo: idle: {ticks} of {secs * hz:.0f} scheduler ticks in {secs:.0f} s, "
              f"{100 * ticks / (secs * hz):.1f} % of a host core")
        time.sleep(4)  # the next 10 s report
        marks = [line for line in open(uart, errors="replace").read().splitlines() if "high-water" in line]
        print(f"{marks[-1].strip()} (after the traffic)")


if __name__ == "__main__":
    main()
