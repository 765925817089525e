#!/usr/bin/env python3
"""Host tests of the benchmark tools' parts that need no guest: the one
parser both systems' figures go through, the initramfs writer (read back
with the distribution's cpio) and the module ordering.

    python3 tools/test_bench_tools.py
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import bench_linux  # noqa: E402


class ParseFigures(unittest.TestCase):
    def test_plain_and_repeated_figures(self):
        text = ("bench coro_control_block 120 bytes\n"
                "bench thread_yield_switch 295 instructions/switch ops=4000 reps=5 min=294 max=301\r\n"
                "bench speedup_2_threads 1.88 x (123 us)\n"
                "bench: a note, not a figure\n")
        f = bench.parse_figures(text)
        self.assertEqual(f["coro_control_block"], {"value": 120, "unit": "bytes"})
        self.assertEqual(f["thread_yield_switch"], {"value": 295, "unit": "instructions/switch",
                                                    "ops": 4000, "reps": 5, "min": 294, "max": 301})
        self.assertNotIn("speedup_2_threads", f)
        self.assertEqual(len(f), 2)
        self.assertEqual(bench.spread(f["thread_yield_switch"]), "294-301")
        self.assertEqual(bench.spread(f["coro_control_block"]), "-")

    def test_summarize_takes_the_median(self):
        self.assertEqual(bench.summarize([96, 61, 94, 93, 70]),
                         {"value": 93, "min": 61, "max": 96, "reps": 5})
        self.assertEqual(bench.spread(bench.summarize([5, 7])), "5-7")
        self.assertEqual(bench.summarize([42])["value"], 42)

    def test_firmware_escapes_end_a_line(self):
        raw = "Booting from ROM..\x1bc\x1b[?7l\x1b[2Jbench boot_to_app_first_line 6135 instructions\n"
        text = bench.clean_console(raw)
        self.assertEqual(bench.parse_figures(text)["boot_to_app_first_line"]["value"], 6135)
        self.assertNotIn("boot_to_app_first_line", bench.parse_figures(raw))


class Initramfs(unittest.TestCase):
    def test_cpio_reads_back(self):
        c = bench_linux.Cpio()
        c.add("dev", 0o040755)
        c.add("dev/console", 0o020600, rdev=(5, 1))
        c.add("init", 0o100755, b"\x7fELF-not-really")
        c.add("odd", 0o100644, b"abc")	# a size that needs padding
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "a.cpio")
            with open(path, "wb") as f:
                f.write(c.finish())
            listing = subprocess.run(["cpio", "-itv", "-F", path], capture_output=True, text=True)
            self.assertEqual(listing.returncode, 0, listing.stderr)
            names = [l.split()[-1] for l in listing.stdout.splitlines()]
            self.assertEqual(names, ["dev", "dev/console", "init", "odd"])
            self.assertTrue(listing.stdout.splitlines()[1].startswith("crw"))
            out = subprocess.run(["cpio", "-i", "--to-stdout", "-F", path, "odd"], capture_output=True)
            self.assertEqual(out.stdout, b"abc")


class ModuleOrder(unittest.TestCase):
    def test_dependencies_come_first(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "kernel", "net"))
            mods = {"virtio_net": "net_failover,virtio", "net_failover": "failover",
                    "failover": "", "virtio": "virtio_ring", "virtio_ring": ""}
            for name, deps in mods.items():
                with open(os.path.join(d, "kernel", "net", name.replace("_", "-", 1) + ".ko"), "wb") as f:
                    f.write(b"\x00junk\x00depends=" + deps.encode() + b"\x00name=" + name.encode() + b"\x00")
            order = [os.path.basename(p) for p in bench_linux.module_order(d, ["virtio_net", "absent"])]
            pos = {n.replace("-", "_")[:-3]: i for i, n in enumerate(order)}
            self.assertEqual(set(pos), set(mods))
            for name, deps in mods.items():
                for dep in filter(None, deps.split(",")):
                    self.assertLess(pos[dep], pos[name], f"{dep} before {name}")


if __name__ == "__main__":
    unittest.main()
