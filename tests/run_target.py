#!/usr/bin/env python3
"""Boot in-image test suites under QEMU and count the results.

Each boot has a time limit; a boot that overruns is killed and counted as a
hang (a failure, except for the one boot that is meant to hang). Console logs
are kept in build/<board>/logs/. The last line printed is 'N passed, N failed'.

    tests/run_target.py --board qemu-virt-aarch64 [--quick]
"""
import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
import symbolize  # noqa: E402
sys.path.insert(0, os.path.join(TOP, "tests", "shell"))
import observe_test  # noqa: E402
sys.path.insert(0, os.path.join(TOP, "tests", "net"))
import net_test  # noqa: E402

# Deliberate failures: (test name, what the console must show).
EXCEPTION_REPORT = [r"unexpected exception on cpu \d+", r"backtrace:", r"panic on cpu \d+"]
PANIC_REPORT = [r"panic on cpu \d+ \(thread '[^']*'\): ", r"backtrace:"]
DELIBERATE = [
    ("fault_trap", EXCEPTION_REPORT),
    ("fault_unmapped_page", EXCEPTION_REPORT +
     [r"#0 0x[0-9a-f]+ in test_fault_unmapped_page at tests/target/fault_test\.c:\d+"]),
    ("fault_readonly_page", EXCEPTION_REPORT),
    ("fault_exec_data", EXCEPTION_REPORT),
    ("panic_reports", PANIC_REPORT + [r"deliberate panic from the test suite",
                                      r"#0 0x[0-9a-f]+ in test_panic_reports at tests/target/fault_test\.c:\d+"]),
    ("assert_reports", PANIC_REPORT + [r"assertion 'two == 3' failed"]),
    ("spinlock_recursion_panics", PANIC_REPORT + [r"already held by this cpu"]),
    ("thread_stack_overflow_is_caught", EXCEPTION_REPORT + [r"stack overflow in thread 'deep-recursion'"]),
    ("coro_stack_overflow_is_caught",
     [r"panic on cpu \d+ \(thread 'coro-worker\d+'[^)]*\): stack overflow in coroutine 'deep-coroutine'",
      r"backtrace:"]),
    ("coro_guarded_stack_overflow_is_caught",
     EXCEPTION_REPORT + [r"stack overflow in coroutine 'guarded-corouti'"]),
]

# Manual tests that must pass, each booted alone (they leave a device
# unusable for the tests after them).
ALONE = ["virtio_pci_reset_and_features"]


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def record(self, ok, name, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            self.failures.append(name)
            print(f"FAIL {name}" + (f": {detail}" if detail else ""))
        sys.stdout.flush()


def make_vars(make, board, variables):
    return f"{make} BOARD={board} " + " ".join(f"{k}={shlex.quote(str(v))}" for k, v in variables.items())


def qemu_command(make, board, cpus, append, extra):
    variables = dict(extra, CPUS=cpus, APPEND=append)
    cmd = make_vars(make, board, variables) + " -s qemu-cmd"
    out = subprocess.run(cmd, shell=True, cwd=TOP, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{cmd}: {out.stderr.strip()}")
    return out.stdout.strip()


def boot(make, board, cpus, append, timeout, log_name, extra=None):
    """Run one QEMU boot. Returns (exit code or None on timeout, console text)."""
    cmd = qemu_command(make, board, cpus, append, extra or {})
    log_dir = os.path.join(TOP, "build", board, "logs")
    os.makedirs(log_dir, exist_ok=True)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, shell=True, cwd=TOP, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        code = None
    text = out.decode("utf-8", "replace").replace("\r\n", "\n")
    if "backtrace:" in text:    # function and file:line beside each address
        text = symbolize.Symbolizer(os.path.join(TOP, "build", board, "threadbare.elf")).annotate_text(text)
    with open(os.path.join(log_dir, log_name + ".log"), "w") as f:
        f.write(f"# {cmd}\n# exit {code}, {time.monotonic() - start:.1f}s\n{text}")
    return code, text


def tail(text, n=25):
    return "\n".join("    | " + line for line in text.strip().splitlines()[-n:])


def run_suite(results, make, board, cpus, pattern, timeout, extra=None, label=""):
    """Boot the selftest app and record one result per in-image test."""
    tag = f"{board}{label} cpus={cpus}"
    append = f"app=selftest cpus={cpus}" + (f" test={pattern}" if pattern else "")
    log = f"suite{label.replace(' ', '_')}-cpus{cpus}" + (f"-{pattern.strip('*')}" if pattern else "")
    code, text = boot(make, board, cpus, append, timeout, log, extra)
    online = f"threadbare: {cpus}/{cpus} cpus online" in text
    results.record(online, f"{tag} boot banner", "" if online else "banner missing\n" + tail(text))
    for m in re.finditer(r"^(ok|FAIL) (\w+)$", text, re.M):
        results.record(m.group(1) == "ok", f"{tag} {m.group(2)}")
    summary = re.search(r"^(\d+) passed, (\d+) failed$", text, re.M)
    if code is None:
        results.record(False, f"{tag} suite finished", f"hung past {timeout}s\n" + tail(text))
    elif not summary:
        results.record(False, f"{tag} suite finished", f"exit {code}, no summary\n" + tail(text))
    else:
        # The exit code must carry the result: 0 exactly when nothing failed.
        consistent = (code == 0) == (summary.group(2) == "0")
        results.record(consistent, f"{tag} exit code {code} matches summary",
                       "" if consistent else tail(text))


def run_deliberate(results, make, board, cpus, extra=None):
    for name, patterns in DELIBERATE:
        code, text = boot(make, board, cpus, f"app=selftest test={name}", 60, f"deliberate-{name}", extra)
        missing = [p for p in patterns if not re.search(p, text, re.M)]
        ok = code not in (None, 0) and not missing
        detail = f"exit {code}, missing {missing}\n" + tail(text) if not ok else ""
        results.record(ok, f"{board} cpus={cpus} {name} reported, non-zero exit", detail)

    code, text = boot(make, board, cpus, "app=selftest test=hang", 8, "deliberate-hang", extra)
    results.record(code is None and "test hang" in text, f"{board} cpus={cpus} hang killed by the runner",
                   f"exit {code}\n" + tail(text))

    code, text = boot(make, board, cpus, "app=no_such_app", 60, "no-such-app", extra)
    results.record(code not in (None, 0) and "no app named 'no_such_app'" in text,
                   f"{board} unknown app exits non-zero", f"exit {code}\n" + tail(text))


def board_variants(make, board):
    """Extra configurations a board asks to be checked (CHECK_VARIANTS in board.mk)."""
    out = subprocess.run(f"{make} BOARD={board} -s print-variants", shell=True, cwd=TOP,
                         capture_output=True, text=True)
    return [v for v in out.stdout.strip().split(";") if v.strip()] if out.returncode == 0 else []


def check_board(results, make, board, quick=False):
    build = subprocess.run(f"{make} BOARD={board} all", shell=True, cwd=TOP,
                           capture_output=True, text=True)
    results.record(build.returncode == 0, f"{board} builds", tail(build.stdout + build.stderr))
    if build.returncode != 0:
        return
    for cpus in (1, 4):
        run_suite(results, make, board, cpus, None, 300)
    if quick:
        return
    for cpus in (2, 8):
        run_suite(results, make, board, cpus, "smp_*", 120)
    # Tests that take a device from its driver: each in a boot of its own.
    for name in ALONE:
        run_suite(results, make, board, 2, name, 120)
    for variant in board_variants(make, board):
        extra = dict(kv.split("=", 1) for kv in variant.split())
        run_suite(results, make, board, 4, None, 300, extra, label=" " + variant.strip())
    run_deliberate(results, make, board, 2)
    observe_test.run(results, make, board)    # shell session, trace JSON, gdb script
    net_test.run(results, make, board)        # host-side clients over every virtio transport


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--make", default="make --no-print-directory")
    ap.add_argument("--quick", action="store_true", help="only the full suites at CPUS=1 and 4")
    args = ap.parse_args()
    results = Results()
    check_board(results, args.make, args.board, args.quick)
    for name in results.failures:
        print(f"failed: {name}")
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
