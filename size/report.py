#!/usr/bin/env python3
"""Build the size probe for every variant and print ROM, RAM and stack.

    python3 size/report.py                        # every variant, M4 and M0
    python3 size/report.py --one FEATURES [--m0]  # one variant and the baseline
    python3 size/report.py --functions FEATURES [--m0]  # what it adds, by function

(from the repository root; FEATURES as in size/Cargo.toml, e.g.
`wisp-server-compact`). For each target (Cortex-M4F thumbv7em-none-eabihf,
Cortex-M0 thumbv6m-none-eabi) and variant (see VARIANTS) it builds the
firmware-shaped session in `size/src/main.rs` (opt-level "z", fat LTO, one
codegen unit, panic=abort) and measures, from the linked ELF:

* ROM = .text + .rodata; "added" = ROM minus the baseline image's, which has the
  same scaffolding and no WebSocket code;
* the added code attributed to crates instruction by instruction, by the DWARF
  line info of the innermost inlined frame outside the standard library
  (objdump -d + addr2line -i): with LTO most of a crate is inlined into its
  caller, so symbol sizes under-count, and a `rotate_left` inlined into SHA-1
  belongs to SHA-1. wisp is split into its handshake, its compact SHA-1 and the
  engine (everything else in core/src: frames, UTF-8, errors); the device-SHA-1 variant's peripheral driver
  (`size/src/device_sha1.rs`) has a bucket of its own and counts in the
  session's ROM, as it would in a device's;
* RAM: the per-connection context (size_of) and the session's stack high-water
  mark, both printed by the image itself running under QEMU (stack painting).
  The session is a function of its own (never inlined into `main`), so the
  stack figure includes its frame: the 256-byte receive and 160-byte send
  buffers and everything the handshake and the engine put on the stack. The
  baseline has the same buffers; "over baseline" is what the WebSocket code
  adds to them.
"""
import collections, os, re, subprocess, sys, shutil

ROOT = os.path.dirname(os.path.abspath(__file__))
TARGETS = [
    ("thumbv7em-none-eabihf", "Cortex-M4F", ["-machine", "mps2-an386", "-cpu", "cortex-m4"]),
    # ARMv6-M code runs on the Cortex-M3 of mps2-an385 (v7-M is a superset).
    ("thumbv6m-none-eabi", "Cortex-M0", ["-machine", "mps2-an385", "-cpu", "cortex-m3"]),
]
# (name in the tables, the probe's features).
VARIANTS = [
    ("baseline", ""),
    ("wisp-framing", "wisp-framing"),
    ("wisp-server (sha1_smol)", "wisp-server"),
    ("wisp-server (compact-sha1)", "wisp-server-compact"),
    ("wisp-server (device SHA-1)", "wisp-server-device"),
    # Refusals with the status phrase as the body (`write_terse_refusal`).
    ("wisp-server (compact-sha1, terse)", "wisp-server-compact,terse"),
    ("wisp-server (device SHA-1, terse)", "wisp-server-device,terse"),
    ("peer-ew", "peer-ew"),
    ("peer-wz", "peer-wz"),
]
CORE_SRC = re.escape(os.path.join(os.path.dirname(ROOT), "core", "src")) + "/"
BUCKETS = [
    ("wisp: compact-sha1", re.compile(CORE_SRC + "handshake/sha1/compact")),
    ("wisp: handshake", re.compile(CORE_SRC + "handshake/")),
    ("wisp: engine (frames, UTF-8, errors)", re.compile(CORE_SRC)),
    ("device SHA-1 driver (probe)", re.compile(r"/size/src/device_sha1")),
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


def build(target, features):
    feats = ["--features", features] if features else []
    run(["cargo", "build", "--release", "--target", target, *feats], cwd=ROOT)
    src = os.path.join(ROOT, "target", target, "release", "wisp-size")
    dst = os.path.join(ROOT, "target", f"{target}-{features.replace(',', '+') or 'baseline'}.elf")
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


def measure(target, machine, features):
    elf = build(target, features)
    total, _ = rom(elf)
    return elf, total, attribute(elf), qemu(elf, machine)


def context_text(name, q):
    ctx = q.get("context", "?")
    if name == "peer-wz" and ctx.isdigit():
        ctx = f"{int(ctx) // 100000} (future {int(ctx) % 100000})"
    return ctx


def print_tables(cpu, target, results, names):
    base_rom, base_attr = results["baseline"][1], results["baseline"][2]
    base_stack = int(results["baseline"][3].get("stack", 0))
    print(f"\n## {cpu} ({target})\n")
    print("| variant | ROM added to the image | context | session stack |")
    print("| --- | ---: | ---: | ---: |")
    for v in names:
        elf, total, attr, q = results[v]
        stack = q.get("stack")
        stack = f"{int(stack)} (+{int(stack) - base_stack} over baseline)" if stack else "(not run)"
        print(f"| {v} | {total - base_rom:,} B | {context_text(v, q)} B | {stack} |")
    print(f"\nbaseline image: {base_rom:,} B ROM, stack {base_stack} B\n")
    print("Added code by crate (bytes over the baseline's bucket; innermost inlined frame outside the standard library):\n")
    buckets = sorted({k for v in names for k in results[v][2]} | set(base_attr))
    print("| bucket | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for k in buckets:
        row = [results[v][2].get(k, 0) - base_attr.get(k, 0) for v in names]
        if any(row):
            print(f"| {k} | " + " | ".join(f"{x:,}" for x in row) + " |")


def main():
    args = sys.argv[1:]
    targets = TARGETS
    if "--m0" in args:
        args.remove("--m0")
        targets = TARGETS[1:]
    elif len(args) == 2:
        targets = TARGETS[:1]
    if len(args) == 2 and args[0] == "--functions":
        # One variant against the baseline, function by function: what it
        # adds, where LTO inlined it.
        target = targets[0][0]
        base = collections.Counter(dict(functions(build(target, ""), None)))
        var = collections.Counter(dict(functions(build(target, args[1]), None)))
        diff = [(k, var[k] - base[k]) for k in set(var) | set(base) if var[k] != base[k]]
        diff.sort(key=lambda kv: -abs(kv[1]))
        for (fn, file), size in diff[: int(os.environ.get("TOP", "60"))]:
            print(f"{size:6}  {file:28} {fn[:110]}")
        print(f"{sum(d for _, d in diff):6}  (all functions)")
        return 0
    if len(args) == 2 and args[0] == "--one":
        # One variant and the baseline, for working on that variant.
        target, cpu, machine = targets[0]
        results = {"baseline": measure(target, machine, ""), args[1]: measure(target, machine, args[1])}
        print_tables(cpu, target, results, [args[1]])
        return 0
    for target, cpu, machine in targets:
        results = {name: measure(target, machine, feats) for name, feats in VARIANTS}
        print_tables(cpu, target, results, [name for name, _ in VARIANTS[1:]])


if __name__ == "__main__":
    sys.exit(main())
