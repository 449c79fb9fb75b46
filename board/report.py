#!/usr/bin/env python3
"""ROM and RAM of the board image, whole and by part, from the linked ELF.

    python3 board/report.py

Code (.text) is charged to crates by the DWARF line info of the innermost
inlined frame outside the standard library (the same method as
size/report.py); read-only data by symbol; RAM from .data/.bss. The stack
high-water mark and the RAM per session are printed by the board itself on
its UART (board/run.sh), so they are quoted, not computed, here."""
import collections, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "size"))
import report as size  # noqa: E402

REPO = os.path.dirname(HERE)
size.BUCKETS[:] = [
    ("wisp (core)", re.compile(re.escape(os.path.join(REPO, "core", "src")) + "/")),
    ("wisp-firmware", re.compile(re.escape(os.path.join(REPO, "firmware", "src")) + "/")),
    ("LAN9118 driver + socket glue", re.compile(r"/board/src/(lan9118|net)\.rs")),
    ("board main, UART, stack", re.compile(r"/board/src/")),
    ("smoltcp", re.compile(r"smoltcp")),
    ("sha1_smol", re.compile(r"sha1_smol")),
    ("base64ct", re.compile(r"base64ct")),
    ("heapless", re.compile(r"heapless")),
    ("cortex-m runtime", re.compile(r"cortex-m")),
    ("core (rustlib)", re.compile(r"/rustc/|library/core")),
    ("compiler_builtins", re.compile(r"compiler.builtins")),
]


def main():
    subprocess.run(["cargo", "build", "-q", "--release"], cwd=HERE, check=True)
    elf = os.path.join(HERE, "target", "thumbv7em-none-eabihf", "release", "wisp-board")
    total, sections = size.rom(elf)
    by = size.attribute(elf)
    # include_bytes! data has no symbol of its own: its size is the files'.
    dist = os.path.join(REPO, "web", "dist")
    assets = sum(os.path.getsize(os.path.join(dist, f)) for f in ["index.html", "wisp_web.js", "wisp_web_bg.wasm"])
    ram = sections.get(".data", 0) + sections.get(".bss", 0) + sections.get(".uninit", 0)
    print(f"ROM (.text + .rodata): {total:,} B; static RAM (.data + .bss): {ram:,} B\n")
    print("| part | bytes |")
    print("| --- | ---: |")
    rows = [(k, v) for k, v in by.items() if not k.startswith("rodata")]
    for k, v in sorted(rows, key=lambda kv: -kv[1]):
        print(f"| code: {k} | {v:,} |")
    print(f"| rodata: the dashboard (index.html, wisp_web.js, wisp_web_bg.wasm) | {assets:,} |")
    other = sections.get(".rodata", 0) - assets
    print(f"| rodata: everything else (strings, tables) | {other:,} |")
    print(f"| RAM: .bss + .data (TCP socket buffers 8 × 12 KiB, the session table 8 × 12.5 KiB, the console ring 32 KiB, the device) | {ram:,} |")


if __name__ == "__main__":
    main()
