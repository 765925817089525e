# tests/target/: in-image test suites, run by the selftest app.
TARGET_TEST_SRCS := \
	tests/target/on_all_cpus.c \
	tests/target/smp_test.c \
	tests/target/spinlock_test.c \
	tests/target/libc_test.c \
	tests/target/mmu_test.c \
	tests/target/fault_test.c \
	tests/target/thread_test.c \
	tests/target/sync_test.c \
	tests/target/libc_thread_test.c \
	tests/target/irq_test.c \
	tests/target/dump_test.c \
	tests/target/coro_test.c \
	tests/target/gil_test.c \
	tests/target/loop_test.c \
	tests/target/virtio_test.c \
	tests/target/observe_test.c
# PCI and the virtio PCI transport.
TARGET_TEST_SRCS += tests/target/pci_test.c
