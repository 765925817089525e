# runtime/shell/: the serial shell and the commands of the layers below it.
SHELL_SRCS := \
	runtime/shell/shell.c \
	runtime/shell/cmds.c \
	runtime/shell/cmd_top.c
