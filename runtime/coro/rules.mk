# runtime/coro/: coroutines, their M:N scheduler, channels and wait groups.
CORO_SRCS := \
	runtime/coro/stack.c \
	runtime/coro/sched.c \
	runtime/coro/coro.c \
	runtime/coro/park.c \
	runtime/coro/chan_core.c \
	runtime/coro/chan.c \
	runtime/coro/wg.c \
	runtime/coro/to_thread.c \
	runtime/coro/trap.c
