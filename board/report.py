#!/usr/bin/env python3
"""ROM and RAM of a board image, whole and by part, from the linked ELF.

    python3 board/report.py                      # the board image, wisp-board
    python3 board/report.py --example minimal    # the minimal console firmware
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
    ("wisp-console", re.compile(re.escape(os.path.join(REPO, "console", "src")) + "/")),
    ("wisp-sim", re.compile(re.escape(os.path.join(REPO, "sim", "src")) + "/")),
    ("LAN9118 driver + embassy-net glue", re.compile(r"/board/src/(lan9118|net_driver|net)\.rs")),
    ("board: image, UART, stack, time, executor, entropy", re.compile(r"/board/(src|examples)/")),
    ("embassy-net", re.compile(r"embassy-net-[0-9]")),
    ("embassy executor, time, sync, futures", re.compile(r"embassy-|cordyceps")),
    ("smoltcp", re.compile(r"smoltcp")),
    ("sha1_smol", re.compile(r"sha1_smol")),
    ("heapless", re.compile(r"heapless")),
    ("log", re.compile(r"/log-0")),
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
    total, sections = size.rom(elf)  # .text + .rodata
    by = size.attribute(elf)
    # The dashboard's files are one symbol (wisp_console::dashboard::FILES
    # points at them); their size is the compressed files'.
    assets = dashboard_bytes() if links_dashboard(elf) else 0
    ram = sections.get(".data", 0) + sections.get(".bss", 0) + sections.get(".uninit", 0)
    flash = total + sections.get(".data", 0) + sections.get(".vector_table", 0)
    print(f"ROM (.vector_table + .text + .rodata + .data's initial values): {flash:,} B; "
          f"static RAM (.data + .bss): {ram:,} B\n")
    print("| part | bytes |")
    print("| --- | ---: |")
    rows = [(k, v) for k, v in by.items() if not k.startswith("rodata")]
    for k, v in sorted(rows, key=lambda kv: -kv[1]):
        print(f"| code: {k} | {v:,} |")
    if assets:
        print(f"| rodata: the dashboard, gzip-compressed (index.html, wisp_web.js, wisp_web_bg.wasm) | {assets:,} |")
    other = sections.get(".rodata", 0) - assets
    print(f"| rodata: everything else (strings, tables) | {other:,} |")
    print(f"| vector table | {sections.get('.vector_table', 0):,} |")
    print("\n| RAM | bytes |")
    print("| --- | ---: |")
    for name, size_ in ram_symbols(elf):
        print(f"| {name} | {size_:,} |")


def links_dashboard(elf):
    return "9dashboard5FILES" in size.run(["arm-none-eabi-nm", elf])


def dashboard_bytes():
    """The gzip files wisp-console embeds (console/dashboard/, made by
    scripts/build-web.sh)."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "console", "dashboard")
    files = [os.path.join(here, f + ".gz") for f in ("index.html", "wisp_web.js", "wisp_web_bg.wasm")]
    return sum(os.path.getsize(f) for f in files if os.path.exists(f))


def ram_symbols(elf):
    """The statics in RAM, largest first, by their Rust names; the small
    ones summed."""
    rows, small = [], 0
    for line in size.run(["arm-none-eabi-nm", "-S", "-C", "--size-sort", "-r", elf]).splitlines():
        parts = line.split(None, 3)
        if len(parts) != 4 or parts[2].lower() not in ("b", "d"):
            continue
        n = int(parts[1], 16)
        if n >= 256:
            rows.append((re.sub(r"::h[0-9a-f]{16}$", "", parts[3]), n))
        else:
            small += n
    return rows + [("everything smaller", small)]


if __name__ == "__main__":
    main()
