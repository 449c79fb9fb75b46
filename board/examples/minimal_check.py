#!/usr/bin/env python3
"""Boot examples/minimal.rs in QEMU and check it from the host.

    python3 board/examples/minimal_check.py

Builds the example, boots it with port 80 forwarded to a free port on
127.0.0.1, and checks what a firmware author copying it gets: the dashboard's
page served gzip-compressed (the bytes of console/dashboard/index.html.gz), a clear 406 for a client that does not take gzip, and on
/printf the example's log line, its own command `led` in `help`, and `led`
answering on, then off. QEMU is booted and stopped by emulated.py."""
import gzip, os, socket, sys, time

import emulated

DASHBOARD = os.path.join(emulated.BOARD, "..", "console", "dashboard")


def http(port, extra=""):
    """GET / and the whole response: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{extra}\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


class Ws:
    """Just enough of a WebSocket client: masked text frames out, unmasked
    frames in (pings skipped)."""

    def __init__(self, port, path):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n".encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.s.recv(4096)
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            sys.exit(f"minimal: /printf not upgraded: {head!r}")

    def take(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                sys.exit("minimal: the connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def text(self):
        while True:
            b0, b1 = self.take(2)
            n = b1 & 0x7F
            if n == 126:
                n = int.from_bytes(self.take(2), "big")
            elif n == 127:
                n = int.from_bytes(self.take(8), "big")
            payload = self.take(n)
            if b0 & 0x0F == 1:
                return payload.decode()

    def send(self, text):
        p, key = text.encode(), b"wisp"
        self.s.sendall(bytes([0x81, 0x80 | len(p)]) + key + bytes(b ^ key[i % 4] for i, b in enumerate(p)))

    def until(self, pred, what):
        deadline = time.time() + 10
        while time.time() < deadline:
            t = self.text()
            if pred(t):
                return t
        sys.exit(f"minimal: no {what}")


def main():
    with emulated.booted("minimal", uart=False) as (port, _, pidfile):
        # slirp accepts on the host side at once; the board answers once up.
        for _ in range(100):
            try:
                status, headers, body = http(port, "Accept-Encoding: gzip, deflate\r\n")
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("minimal: nothing answers on port 80")
        stored = open(os.path.join(DASHBOARD, "index.html.gz"), "rb").read()
        page = gzip.decompress(stored)
        if status != 200 or headers.get("content-encoding") != "gzip" or body != stored:
            sys.exit(f"minimal: GET / with gzip: {status} {headers}")
        packed = len(body)
        status, _, body = http(port)
        if status != 406 or b"gzip" not in body:
            sys.exit(f"minimal: GET / without gzip: {status} {body!r}")

        ws = Ws(port, "/printf")
        ws.until(lambda t: t.startswith("#") and " INFO minimal: up: send 'led'" in t, "log line")
        ws.send("help")
        ws.until(lambda t: t.startswith("> led "), "'led' in help")
        ws.send("led")
        ws.until(lambda t: t == "> LED on", "'> LED on'")
        ws.send("led")
        ws.until(lambda t: t == "> LED off", "'> LED off'")
        print(f"minimal: OK: page gzip-served ({packed} B for {len(page)}), 406 without gzip, log line, led on/off")


if __name__ == "__main__":
    main()
