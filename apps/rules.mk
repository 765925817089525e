# apps/: every app is linked into the image; `app=<name>` picks one at boot.
APP_SRCS := \
	apps/hello/hello.c \
	apps/selftest/selftest.c \
	apps/bench/bench.c \
	apps/bench/coro_bench.c \
	apps/bench/gil_bench.c \
	apps/bench/loop_bench.c \
	apps/gil/gil.c \
	apps/gil/gil_work.c
