# threadbare's gdb commands (loaded by the gdbinit `make debug` writes):
#
#   tb-threads   every kernel thread and coroutine: name, state, CPU, and a
#                backtrace from its saved context (or from its CPU's
#                registers when it is running)
#   tb-cpus      every CPU: online, the thread it runs, interrupt depth,
#                and where its vCPU is stopped
#
# A switched-out thread or coroutine keeps its context at its saved stack
# pointer as the frame arch_context_switch() pushed (arch/*/switch.S, its
# layout in arch/aarch64/context.h and arch/x86_64/include/arch/x86/context.h):
#   aarch64: x19..x28, then x29 (fp) at +80 and x30 (lr) at +88
#   x86_64:  mxcsr/fpucw, r15..rbx, then rbp at +48 and the return rip at +56
# From there the frame records are {previous fp, return address} on both
# arches (-fno-omit-frame-pointer), as kernel/panic.c walks them.
import gdb

THREAD_STATES = ["ready", "running", "blocked", "exited"]
CORO_STATES = ["ready", "running", "parked", "suspended", "exiting", "done"]
CORO_CB_BYTES = 128          # runtime/coro/stack.c: the control block's room
BACKTRACE_MAX = 24


def arch():
    name = gdb.selected_inferior().architecture().name()
    return "aarch64" if "aarch64" in name else "x86_64"


def static(name, file_hint):
    """A file-scope static of the kernel (or a global)."""
    try:
        sym = gdb.lookup_static_symbol(name)
        if sym is not None:
            return sym.value()
    except AttributeError:
        pass
    return gdb.parse_and_eval(f"'{file_hint}'::{name}")


def field_offset(type_name, field):
    for f in gdb.lookup_type(type_name).fields():
        if f.name == field:
            return f.bitpos // 8
    raise gdb.GdbError(f"{type_name} has no field {field}")


def read_u64(addr):
    mem = gdb.selected_inferior().read_memory(addr, 8)
    return int.from_bytes(bytes(mem), "little")


def where(pc):
    """'fn at file:line' for pc (a return address is looked up at pc - 1)."""
    block_pc = pc
    fns = []
    try:
        block = gdb.block_for_pc(block_pc)
        while block is not None:    # inlined functions first, then their callers
            if block.function is not None and (not fns or fns[-1] != block.function.name):
                fns.append(block.function.name)
            block = block.superblock
    except RuntimeError:
        pass
    fn = fns[0] if fns else "??"
    if len(fns) > 1:
        fn += "".join(f" (inlined in {f})" for f in fns[1:])
    sal = gdb.find_pc_line(block_pc)
    loc = f"{sal.symtab.filename}:{sal.line}" if sal.symtab else "??"
    return f"{fn} at {loc}"


def walk(pc, fp, out):
    """Print frames from pc and the frame pointer chain at fp."""
    depth = 0
    if pc:
        out(f"      #{depth} {pc:#x} in {where(pc)}")
        depth += 1
    while fp and depth < BACKTRACE_MAX:
        if fp % 8:
            break
        try:
            prev, ret = read_u64(fp), read_u64(fp + 8)
        except gdb.MemoryError:
            break
        if not ret:
            break
        out(f"      #{depth} {ret:#x} in {where(ret - 1)}")
        depth += 1
        if prev <= fp:
            break
        fp = prev


def saved_context(sp):
    """(pc, fp) from an arch_context_switch() frame at sp."""
    if arch() == "aarch64":
        return read_u64(sp + 88), read_u64(sp + 80)
    return read_u64(sp + 56), read_u64(sp + 48)


def vcpu_registers(index):
    """(pc, fp) of CPU index's vCPU (gdb thread index + 1 under QEMU)."""
    threads = sorted(gdb.selected_inferior().threads(), key=lambda t: t.num)
    if index >= len(threads):
        return None
    keep = gdb.selected_thread()
    try:
        threads[index].switch()
        frame = gdb.newest_frame()
        pc = int(frame.read_register("pc"))
        fp = int(frame.read_register("x29" if arch() == "aarch64" else "rbp"))
    finally:
        keep.switch()
    return pc, fp


def all_threads():
    head = static("all_threads", "kernel/thread.c")
    head_addr = int(head.address)
    off = field_offset("struct thread", "all_node")
    thread_ptr = gdb.lookup_type("struct thread").pointer()
    node = int(head["next"])
    seen = 0
    while node != head_addr and seen < 100000:
        yield gdb.Value(node - off).cast(thread_ptr).dereference()
        node = int(gdb.Value(node).cast(head["next"].type).dereference()["next"])
        seen += 1


def all_coroutines():
    """Every coroutine the stack pool holds (runtime/coro/stack.c: coro_slabs)."""
    try:
        slab = gdb.parse_and_eval("coro_slabs")
    except gdb.error:
        return
    ops = int(gdb.parse_and_eval("&coro_ctx_ops"))
    coro_ptr = gdb.lookup_type("struct coro").pointer()
    while int(slab):
        s = slab.dereference()
        first, size = int(s["first"]), int(s["bytes"])
        for i in range(int(s["count"])):
            c = gdb.Value(first + (i + 1) * size - CORO_CB_BYTES).cast(coro_ptr).dereference()
            if int(c["ctx"]["ops"]) == ops:
                yield c
        slab = s["next"]


class TbThreads(gdb.Command):
    """List every kernel thread and coroutine with its state, CPU and backtrace."""

    def __init__(self):
        super().__init__("tb-threads", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        out = gdb.write
        line = lambda s: out(s + "\n")
        n = 0
        for t in all_threads():
            n += 1
            state = int(t["state"])
            cpu = int(t["cpu"].dereference()["index"]) if int(t["cpu"]) else -1
            name = t["name"].string()
            line(f"thread {name!r} state={THREAD_STATES[state] if state < 4 else state} cpu={cpu} "
                 f"prio={int(t['prio'])} at {int(t.address):#x}")
            if bool(t["on_cpu"]) and cpu >= 0:
                regs = vcpu_registers(cpu)
                line(f"    running on cpu {cpu}:")
                if regs:
                    walk(regs[0], regs[1], line)
            else:
                pc, fp = saved_context(int(t["sp"]))
                line("    saved context:")
                walk(pc, fp, line)
        line(f"{n} threads")
        k = 0
        for c in all_coroutines():
            k += 1
            state = int(c["state"])
            worker = int(c["worker"].dereference()["index"]) if int(c["worker"]) else -1
            line(f"coroutine {c['name'].string()!r} state={CORO_STATES[state] if state < 6 else state} "
                 f"worker={worker} at {int(c.address):#x}")
            if state == 1:
                line("    running (see its worker thread's backtrace)")
            elif state < 5:
                pc, fp = saved_context(int(c["sp"]))
                line("    saved context:")
                walk(pc, fp, line)
        line(f"{k} coroutines")


class TbCpus(gdb.Command):
    """List every CPU: online, current thread, interrupt depth, where it stopped."""

    def __init__(self):
        super().__init__("tb-cpus", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        cpus = static("cpus", "kernel/smp.c")
        n = int(static("ncpus", "kernel/smp.c"))
        for i in range(n):
            c = cpus[i]
            cur = c["current"]
            name = cur.dereference()["name"].string() if int(cur) else "-"
            regs = vcpu_registers(i)
            stopped = f"{regs[0]:#x} in {where(regs[0])}" if regs else "?"
            gdb.write(f"cpu {i}: hwid={int(c['hwid']):#x} online={'yes' if bool(c['online']) else 'no'} "
                      f"thread={name!r} irq_depth={int(c['irq_depth'])} spinlocks={int(c['spin_depth'])}"
                      f" pc={stopped}\n")
        gdb.write(f"{n} cpus\n")


TbThreads()
TbCpus()
