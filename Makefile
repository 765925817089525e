# threadbare: build, run and test. The README lists the targets users need.
#
#   make [BOARD=...] [CPUS=...]   build build/<board>/threadbare.elf and the flashable image
#   make run                      boot the default app in QEMU (Ctrl-A X leaves)
#   make check                    run the in-image test suites on one board
#   make test                     host tests, then `make check` on every QEMU board
#   make debug                    QEMU waiting for gdb-multiarch, plus a gdb script
#   make trace APP=...            run an app with the scheduling trace: build/<board>/trace.{json,png}
#   make deps                     install everything a fresh Debian/Ubuntu machine needs
#   make bench / bench-linux / bench-compare   threadbare's figures, Linux's, both side by side

BOARD ?= qemu-virt-aarch64
CPUS ?= 4
APP ?=
APPEND ?=
TIMEOUT ?= 120

# A fresh machine (or a changed tools/deps.sh) installs what it needs first,
# so `make run` and `make test` work straight after cloning.
ifndef THREADBARE_IN_DEPS
ifeq ($(filter deps clean,$(MAKECMDGOALS)),)
ifneq ($(shell cat build/.deps-ok 2>/dev/null),$(firstword $(shell sha1sum tools/deps.sh)))
# (its messages go to stderr: stdout belongs to targets such as qemu-cmd)
ifneq ($(shell echo 'threadbare: setting up this machine (tools/deps.sh)' >&2; tools/deps.sh >&2; echo $$?),0)
$(error tools/deps.sh failed; see above)
endif
endif
endif
endif

BOARDS := $(notdir $(wildcard boards/*))
ifeq ($(filter $(BOARD),$(BOARDS)),)
$(error BOARD=$(BOARD) is not a board; boards are: $(BOARDS))
endif

BOARD_DIR := boards/$(BOARD)
OUT := build/$(BOARD)
ELF := $(OUT)/threadbare.elf
BIN := $(OUT)/threadbare.bin

include $(BOARD_DIR)/board.mk
$(foreach v,ARCH CPU QEMU KERNEL_BASE MEMORY QEMU_MACHINE QEMU_BOOT,\
  $(if $(value $(v)),,$(error $(BOARD_DIR)/board.mk must set $(v))))

include arch/$(ARCH)/rules.mk
$(foreach v,CROSS_COMPILE ARCH_CFLAGS NEWLIB_CFLAGS LINKER_SCRIPT,\
  $(if $(value $(v)),,$(error arch/$(ARCH)/rules.mk must set $(v))))
include kernel/rules.mk
include kernel/dev/rules.mk
include runtime/libc/rules.mk
include runtime/coro/rules.mk
include runtime/gil/rules.mk
include runtime/loop/rules.mk
include runtime/net/rules.mk
include runtime/shell/rules.mk
include apps/rules.mk
include tests/target/rules.mk

CC := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy
SIZE := $(CROSS_COMPILE)size
SYSROOT := build/sysroot/$(ARCH)
GCC_INCLUDE := $(shell $(CC) -print-file-name=include 2>/dev/null)
LIBGCC := $(shell $(CC) $(ARCH_CFLAGS) -print-libgcc-file-name 2>/dev/null)

# Freestanding: newlib's headers and gcc's own, never the host's C library.
CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
  -ffreestanding -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
  -fno-common -fno-strict-aliasing -D__DYNAMIC_REENT__ \
  -nostdinc -isystem $(SYSROOT)/include -isystem $(GCC_INCLUDE) \
  -Iarch/include -Iarch/$(ARCH)/include -Ikernel/include -Iruntime/include \
  -I$(BOARD_DIR) -MMD -MP $(ARCH_CFLAGS)
ASFLAGS := $(CFLAGS) -D__ASSEMBLY__
LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
  -Wl,--fatal-warnings -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
  -T $(LINKER_SCRIPT) -Wl,--defsym=KERNEL_BASE=$(KERNEL_BASE) -Wl,-Map=$(OUT)/threadbare.map

SRCS := $(ARCH_SRCS) $(BOARD_SRCS) $(KERNEL_SRCS) $(DEV_SRCS) $(LIBC_SRCS) $(CORO_SRCS) $(GIL_SRCS) \
  $(LOOP_SRCS) $(NET_SRCS) $(SHELL_SRCS) \
  $(APP_SRCS) $(TARGET_TEST_SRCS)
OBJS := $(patsubst %,$(OUT)/obj/%.o,$(basename $(SRCS)))
$(patsubst %,$(OUT)/obj/%.o,$(basename $(NET_SRCS))): CFLAGS += $(NET_CFLAGS)
$(patsubst %,$(OUT)/obj/%.o,$(basename $(NET_SRCS))): runtime/net/rules.mk
$(LWIP_OBJS): CFLAGS += $(LWIP_WARNINGS)

.DEFAULT_GOAL := all
.PHONY: all run check test bench bench-linux bench-compare debug trace deps host-test clean compile_commands.json qemu-cmd print-variants print-newlib print-size

all: $(ELF) $(BIN)

$(SYSROOT)/.built:
	@echo "newlib for $(ARCH) is not built: run 'make deps'" >&2; exit 1

# The compile flags live in a file so changing them (or BOARD's flags)
# rebuilds everything that used them.
$(OUT)/cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CFLAGS) $(LDFLAGS)' >$@

$(OUT)/obj/%.o: %.c $(OUT)/cflags | $(SYSROOT)/.built
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $($(notdir $*)_CFLAGS) -c $< -o $@

$(OUT)/obj/%.o: %.S $(OUT)/cflags | $(SYSROOT)/.built
	@mkdir -p $(@D)
	$(CC) $(ASFLAGS) -c $< -o $@

$(ELF): $(OBJS) $(LINKER_SCRIPT) linker/tables.ld $(OUT)/cflags
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(SYSROOT)/lib/libc.a $(SYSROOT)/lib/libm.a $(LIBGCC)
	@$(SIZE) $@

$(BIN): $(ELF)
	$(OBJCOPY) -O binary $< $@

FORCE:

# --- running -----------------------------------------------------------------
# QEMU user networking. Host forwards only when asked (NET_FWD, a comma-
# separated list of QEMU hostfwd= rules): boots that do not serve anything
# must not fight over host ports. `make run` forwards HTTP_PORT to the
# guest's port 80.
comma := ,
HTTP_PORT ?= 8080
NET_FWD ?=
space := $() $()
NET_FWDS = $(subst $(space),$(comma),$(strip $(RUN_FWD) $(subst $(comma),$(space),$(NET_FWD))))
NETDEV_USER = user,id=$(if $(NET_INJECT),user0,net0)$(if $(NET_FWDS),$(comma)$(NET_FWDS))
# NET_INJECT=<host port>:<qemu port> (tests/net): a hub joins the NIC, the
# user network and a UDP socket carrying raw Ethernet frames, so a test can
# put frames on the wire that the user network would never build
# (malformed ones) and see every frame the guest sends.
NET_INJECT ?=
QEMU_NETDEV = -netdev $(NETDEV_USER)$(if $(NET_INJECT), -netdev hubport$(comma)id=net0$(comma)hubid=0 \
  -netdev hubport$(comma)id=hub-user$(comma)hubid=0$(comma)netdev=user0 \
  -netdev socket$(comma)id=inject0$(comma)udp=127.0.0.1:$(firstword $(subst :, ,$(NET_INJECT)))$(comma)localaddr=127.0.0.1:$(lastword $(subst :, ,$(NET_INJECT))) \
  -netdev hubport$(comma)id=hub-inject$(comma)hubid=0$(comma)netdev=inject0)
run: RUN_FWD = hostfwd=tcp:127.0.0.1:$(HTTP_PORT)-:80
# QEMU_EXTRA: more QEMU options (tools: -icount for benchmarks).
QEMU_EXTRA ?=
QEMU_CMD = $(QEMU) $(QEMU_MACHINE) -smp $(CPUS) -m $(MEMORY) -nographic -no-reboot $(QEMU_BOOT) $(QEMU_NET) $(QEMU_EXTRA) \
  $(if $(strip $(APP) $(APPEND)),-append "$(strip $(if $(APP),app=$(APP)) $(APPEND))")

# Backtraces in a panic report are symbolized on the way (tools/symbolize.py);
# everything else passes through and the console stays interactive.
run: all
	python3 tools/symbolize.py --elf $(ELF) -- $(QEMU_CMD)

debug: all
	@sed -e 's|@ELF@|$(abspath $(ELF))|' -e 's|@TOP@|$(CURDIR)|' tools/gdbinit.in >$(OUT)/gdbinit
	@echo "QEMU is waiting for gdb on :1234; in another terminal: gdb-multiarch -x $(OUT)/gdbinit"
	$(QEMU_CMD) -S -s

# The in-image suites on this board: every suite at CPUS=1 and 4, the
# smp suite at 2 and 8, and the deliberate fault and hang.
check: all
	python3 tests/run_target.py --board $(BOARD) --make "$(MAKE) --no-print-directory"

host-test:
	$(MAKE) --no-print-directory -C tests/host
	python3 tools/test_bench_tools.py

test:
	python3 tests/run_all.py --make "$(MAKE) --no-print-directory" $(BOARDS)

deps:
	tools/deps.sh

# The app with the scheduling trace on, drawn (see tools/trace.py).
trace: all
	python3 tools/trace.py --board $(BOARD) --cpus $(CPUS) --app $(or $(APP),$(DEFAULT_APP)) \
	  --append "$(APPEND)" --timeout $(TIMEOUT) --make "$(MAKE) --no-print-directory"

# Deterministic figures under QEMU -icount (see tools/bench.py).
bench: all
	python3 tools/bench.py --board $(BOARD) --make "$(MAKE) --no-print-directory"

# The same operations under Debian's own kernel in the same QEMU machine
# (tools/bench_linux.py), then both side by side into docs/benchmarks/.
bench-linux:
	python3 tools/bench_linux.py --board $(BOARD) --make "$(MAKE) --no-print-directory"

# NET=0 leaves out the network load; TB_NET is threadbare's UDP echo + HTTP
# app for it (quit=on: the load generator's UDP "quit" ends the run).
TB_NET ?= app=httpd echo=on quit=on
bench-compare: bench bench-linux
	python3 tools/bench_compare.py --board $(BOARD) --make "$(MAKE) --no-print-directory" \
	  $(if $(filter 0,$(NET)),,--net) $(if $(TB_NET),--threadbare-net '$(TB_NET)')

print-size: $(ELF)
	@$(SIZE) $(ELF) | awk 'NR == 2 { print $$1, $$2, $$3 }'

# For the runner: the QEMU command line for this board and CPUS, and the
# board's extra configurations to check (CHECK_VARIANTS, ';'-separated).
qemu-cmd:
	@echo '$(QEMU_CMD)'

print-variants:
	@echo '$(CHECK_VARIANTS)'

print-newlib:
	@echo '$(ARCH) $(CROSS_COMPILE) $(NEWLIB_CFLAGS)'

# Every compile must run under bear, so start from no objects.
compile_commands.json:
	rm -rf $(OUT)/obj
	bear --output $@ -- $(MAKE) BOARD=$(BOARD) all

clean:
	rm -rf build/qemu-* build/host

-include $(OBJS:.o=.d)
