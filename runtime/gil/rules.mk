# runtime/gil/: big-lock interpreter mode (docs/gil.md).
GIL_SRCS := \
	runtime/gil/gil_policy.c \
	runtime/gil/gil.c \
	runtime/gil/gil_domain.c \
	runtime/gil/gil_stats.c \
	runtime/gil/gil_msgq.c
