#!/usr/bin/env python3
"""Build the size probe for every variant and print ROM, RAM and stack.

    python3 size/report.py            # from the repository root

For each target (Cortex-M4F thumbv7em-none-eabihf, Cortex-M0 thumbv6m-none-eabi)
and variant (baseline, wisp-server, wisp-framing, peer-ew, peer-wz) it builds the
firmware-shaped session in `size/src/main.rs` (opt-level "z", fat LTO, one codegen
unit, panic=abort) and measures, from the linked ELF:

* ROM = .text + .rodata; "added" = ROM minus the baseline image's, which has the
  same scaffolding and no WebSocket code;
* the added code attributed to crates instruction by instruction, by the DWARF
  line info of the innermost inlined frame outside the standard library
  (objdump -d + addr2line -i): with LTO most of a crate is inlined into its
  caller, so symbol sizes under-count, and a `rotate_left` inlined into SHA-1
  belongs to SHA-1;
* RAM: the per-connection context (size_of) and the session's stack high-water
  mark, both printed by the image itself running under QEMU (stack painting).
"""
import collections, os, re, subprocess, sys, shutil

ROOT = os.path.dirname(os.path.abspath(__file__))
TARGETS = [
    ("thumbv7em-none-eabihf", "Cortex-M4F", ["-machine", "mps2-an386", "-cpu", "cortex-m4"]),
    # ARMv6-M code runs on the Cortex-M3 of mps2-an385 (v7-M is a superset).
    ("thumbv6m-none-eabi", "Cortex-M0", ["-machine", "mps2-an385", "-cpu", "cortex-m3"]),
]
VARIANTS = ["baseline", "wisp-server", "wisp-framing", "peer-ew", "peer-wz"]
BUCKETS = [
    ("wisp", re.compile(re.escape(os.path.join(os.path.dirname(ROOT), "core", "src")) + "/")),
    ("sha1_smol", re.compile(r"sha1_smol")),
    ("base64ct", re.compile(r"base64ct")),
    ("httparse", re.compile(r"httparse")),
    ("sha1/digest", re.compile(r"/(sha1|digest|block-buffer|generic-array|crypto-common)-[0-9]")),
    ("base64", re.compile(r"/base64-0")),
    ("embedded-websocket", re.compile(r"embedded-websocket")),
    ("websocketz/framez", re.compile(r"websocketz|framez")),
    ("heapless", re.compile(r"heapless")),
    ("probe scaffolding", re.compile(r"/size/src/|cortex-m")),
    ("core (rustlib)", re.compile(r"/rustc/|library/core|library/alloc")),
    ("compiler_builtins", re.compile(r"compiler.builtins|compiler_builtins")),
]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def build(target, variant):
    feats = [] if variant == "baseline" else ["--features", variant]
    run(["cargo", "build", "--release", "--target", target, *feats], cwd=ROOT)
    src = os.path.join(ROOT, "target", target, "release", "wisp-size")
    dst = os.path.join(ROOT, "target", f"{target}-{variant}.elf")
    shutil.copy(src, dst)
    return dst


def rom(elf):
    sizes = {}
    for line in run(["arm-none-eabi-size", "-A", elf]).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("."):
            sizes[parts[0]] = int(parts[1])
    return sizes.get(".text", 0) + sizes.get(".rodata", 0), sizes


def attribute(elf):
    """Bytes of .text per bucket, by the innermost inlined frame's file."""
    insns = []
    for line in run(["arm-none-eabi-objdump", "-d", "--section=.text", elf]).splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{4,8}\s)+)", line)
        if m:
            raw = m.group(2).split()
            insns.append((int(m.group(1), 16), sum(len(h) // 2 for h in raw)))
    out = run(["arm-none-eabi-addr2line", "-i", "-a", "-e", elf], input="\n".join(hex(a) for a, _ in insns))
    # The inline chain comes innermost first. Code inlined from the standard
    # library (slice ops, rotate_left …) is charged to the first frame
    # outside it: the crate that used it.
    rustlib = re.compile(r"/rustc/|library/core|library/alloc")
    frames, cur = {}, None
    for line in out.splitlines():
        if line.startswith("0x"):
            cur = int(line, 16)
            frames[cur] = None
        elif cur is not None:
            if frames[cur] is None or rustlib.search(frames[cur]):
                if frames[cur] is None or not rustlib.search(line):
                    frames[cur] = line
    by = collections.Counter()
    for addr, size in insns:
        path = frames.get(addr) or "??"
        for name, rx in BUCKETS:
            if rx.search(path):
                by[name] += size
                break
        else:
            by["unattributed (no line info)"] += size
    # .rodata by symbol name; what has no symbol (string literals, tables of
    # an inlined function) is one row.
    named = 0
    for line in run(["arm-none-eabi-nm", "-S", "--size-sort", "-C", elf]).splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4 and parts[2] in "rR":
            by["rodata: " + classify_symbol(parts[3])] += int(parts[1], 16)
            named += int(parts[1], 16)
    by["rodata: unnamed (strings, tables)"] += rom(elf)[1].get(".rodata", 0) - named
    return by


def functions(elf, top=25):
    """Bytes of .text per innermost inlined function (for finding what costs)."""
    insns = []
    for line in run(["arm-none-eabi-objdump", "-d", "--section=.text", elf]).splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{4,8}\s)+)", line)
        if m:
            insns.append((int(m.group(1), 16), sum(len(h) // 2 for h in m.group(2).split())))
    out = run(["arm-none-eabi-addr2line", "-f", "-C", "-i", "-a", "-e", elf], input="\n".join(hex(a) for a, _ in insns))
    lines = out.splitlines()
    first, i, cur = {}, 0, None
    while i < len(lines):
        if lines[i].startswith("0x"):
            cur = int(lines[i], 16)
            first[cur] = (lines[i + 1], lines[i + 2].split(":")[0].split("/")[-1]) if i + 2 < len(lines) else ("?", "?")
            i += 3
        else:
            i += 2
    by = collections.Counter()
    for a, size in insns:
        by[first.get(a, ("?", "?"))] += size
    return by.most_common(top)


def classify_symbol(name):
    for key in ["wisp_size", "wisp", "sha1_smol", "base64ct", "httparse", "embedded_websocket", "websocketz", "core::fmt", "core"]:
        if key in name:
            return key
    return "other"


def qemu(elf, machine):
    try:
        out = subprocess.run(
            ["qemu-system-arm", *machine, "-nographic", "-monitor", "none",
             "-semihosting-config", "enable=on,target=native", "-kernel", elf],
            capture_output=True, text=True, timeout=20).stdout
    except subprocess.TimeoutExpired:
        return {}
    return dict(kv.split("=") for kv in out.split() if "=" in kv)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--functions":
        elf = build("thumbv7em-none-eabihf", sys.argv[2])
        for (fn, file), size in functions(elf, int(os.environ.get("TOP", "40"))):
            print(f"{size:6}  {file:28} {fn[:110]}")
        return 0
    for target, cpu, machine in TARGETS:
        results = {}
        for v in VARIANTS:
            elf = build(target, v)
            total, _ = rom(elf)
            results[v] = (elf, total, attribute(elf), qemu(elf, machine))
        base_rom, base_attr = results["baseline"][1], results["baseline"][2]
        print(f"\n## {cpu} ({target})\n")
        print("| variant | ROM added to the image | context | session stack |")
        print("| --- | ---: | ---: | ---: |")
        base_stack = int(results["baseline"][3].get("stack", 0))
        for v in VARIANTS[1:]:
            elf, total, attr, q = results[v]
            ctx = q.get("context", "?")
            if v == "peer-wz" and ctx.isdigit():
                ctx = f"{int(ctx) // 100000} (future {int(ctx) % 100000})"
            stack = q.get("stack")
            stack = f"{int(stack)} (+{int(stack) - base_stack} over baseline)" if stack else "(not run)"
            print(f"| {v} | {total - base_rom:,} B | {ctx} B | {stack} |")
        print(f"\nbaseline image: {base_rom:,} B ROM, stack {base_stack} B\n")
        print("Added code by crate (bytes over the baseline's bucket; innermost inlined frame outside the standard library):\n")
        names = sorted({k for v in VARIANTS for k in results[v][2]})
        print("| bucket | " + " | ".join(VARIANTS[1:]) + " |")
        print("| --- |" + " ---: |" * (len(VARIANTS) - 1))
        for k in names:
            row = [results[v][2].get(k, 0) - base_attr.get(k, 0) for v in VARIANTS[1:]]
            if any(row):
                print(f"| {k} | " + " | ".join(f"{x:,}" for x in row) + " |")


if __name__ == "__main__":
    sys.exit(main())
