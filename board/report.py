#!/usr/bin/env python3
"""ROM and RAM of a board image, whole and by part, from the linked ELF.

    python3 board/report.py                      # the poll-loop image, wisp-board
    python3 board/report.py --example net_echo   # the embassy-net echo image

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
    ("LAN9118 driver + socket glue", re.compile(r"/board/src/(lan9118|net_driver|bin/wisp-board/(net|phy))\.rs")),
    ("board main, UART, stack, time, executor", re.compile(r"/board/(src|examples)/")),
    ("embassy-net", re.compile(r"embassy-net-[0-9]")),
    ("embassy executor, time, sync", re.compile(r"embassy-|cordyceps")),
    ("smoltcp", re.compile(r"smoltcp")),
    ("sha1_smol", re.compile(r"sha1_smol")),
    ("base64ct", re.compile(r"base64ct")),
    ("heapless", re.compile(r"heapless")),
    ("cortex-m runtime", re.compile(r"cortex-m")),
    ("core (rustlib)", re.compile(r"/rustc/|library/core")),
    ("compiler_builtins", re.compile(r"compiler.builtins")),
]


def main():
    example = sys.argv[2] if sys.argv[1:2] == ["--example"] else None
    subprocess.run(["cargo", "build", "-q", "--release", *(["--example", example] if example else [])], cwd=HERE, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "target"))
    release = os.path.join(target, "thumbv7em-none-eabihf", "release")
    elf = os.path.join(release, "examples", example) if example else os.path.join(release, "wisp-board")
    total, sections = size.rom(elf)
    by = size.attribute(elf)
    # include_bytes! data has no symbol of its own: its size is the files'.
    dist = os.path.join(REPO, "web", "dist")
    files = ["index.html", "wisp_web.js", "wisp_web_bg.wasm"]
    assets = 0 if example else sum(os.path.getsize(os.path.join(dist, f)) for f in files)
    ram = sections.get(".data", 0) + sections.get(".bss", 0) + sections.get(".uninit", 0)
    print(f"ROM (.text + .rodata): {total:,} B; static RAM (.data + .bss): {ram:,} B")
    print(f"(.data's initial values, {sections.get('.data', 0):,} B, are in flash too)\n")
    print("| part | bytes |")
    print("| --- | ---: |")
    rows = [(k, v) for k, v in by.items() if not k.startswith("rodata")]
    for k, v in sorted(rows, key=lambda kv: -kv[1]):
        print(f"| code: {k} | {v:,} |")
    if assets:
        print(f"| rodata: the dashboard (index.html, wisp_web.js, wisp_web_bg.wasm) | {assets:,} |")
    other = sections.get(".rodata", 0) - assets
    print(f"| rodata: everything else (strings, tables) | {other:,} |")
    what = (
        "the echo tasks with their sockets' buffers 4 × 2 × 4 KiB, the stack, the frame buffers"
        if example
        else "TCP socket buffers 8 × 12 KiB, the session table 8 × 12.5 KiB, the console ring 32 KiB, the device"
    )
    print(f"| RAM: .bss + .data ({what}) | {ram:,} |")


if __name__ == "__main__":
    main()
