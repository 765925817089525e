/*
 * The serial shell: a line editor (backspace, Ctrl-U, left/right arrows,
 * history on up/down) on the console, running commands registered with
 * SHELL_CMD() from anywhere in the image. A module adds a command by
 * defining it in its own file; the shell needs no edit.
 *
 * A command runs on the shell's own thread (low priority, may block) with
 * its words split at spaces: argv[0] is the command's name. It prints
 * with printf; on bad arguments it prints one line saying what is wrong
 * and returns non-zero.
 */
#pragma once

struct thread;

struct shell_cmd {
	const char *name;
	const char *help;	/* one line: "[args]: what it does" */
	int (*fn)(int argc, char **argv);
};

/* Register fn as command `cmdname` (a bare word: SHELL_CMD(ps, ...)).
 * The table is sorted by name at link time (linker/tables.ld). */
#define SHELL_CMD(cmdname, text, func)                                          \
	static const struct shell_cmd shell_cmd_##cmdname                      \
		__attribute__((used, section(".shell_cmds." #cmdname), aligned(8))) = { \
			.name = #cmdname, .help = (text), .fn = (func) }

#define SHELL_PRIO 2		/* above only the lowest: a busy machine starves it last */
#define SHELL_ARGS_MAX 8
#define SHELL_LINE_MAX 128

/* Thread context: route console input to the shell and start its thread
 * (joinable, in *out if out is non-NULL). 0, or a negative errno
 * (-ENODEV: the console has no receive interrupt). */
int shell_start(struct thread **out);
/* Run one command line as if typed (for tests and scripts). Returns the
 * command's status, or -ENOENT for an unknown command, with its one-line
 * error printed. Thread context. */
int shell_exec(const char *line);
/* The commands, for `help` and tools. */
const struct shell_cmd *shell_cmds_begin(void);
const struct shell_cmd *shell_cmds_end(void);
