# runtime/loop/: the event loop, futures, tasks (docs/loop.md).
LOOP_SRCS := \
	runtime/loop/ready.c \
	runtime/loop/loop.c \
	runtime/loop/future.c \
	runtime/loop/task.c \
	runtime/loop/group.c \
	runtime/loop/sync.c
