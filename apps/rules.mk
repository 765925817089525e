# apps/: every app is linked into the image; `app=<name>` picks one at boot.
APP_SRCS := \
	apps/hello/hello.c \
	apps/selftest/selftest.c \
	apps/bench/bench.c \
	apps/bench/coro_bench.c \
	apps/bench/gil_bench.c \
	apps/bench/bench_cmd.c \
	apps/bench/loop_bench.c \
	apps/shell/shell_app.c \
	apps/demo/demo.c \
	apps/echo/echo.c \
	apps/httpd/httpd.c \
	apps/httpd/status.c \
	apps/gil/gil.c \
	apps/gil/gil_work.c
