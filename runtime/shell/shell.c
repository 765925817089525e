/*
 * The shell's line editor and dispatcher. Input comes from the console's
 * receive interrupt (console_input_read()); echo and redraws go straight to
 * the console, command output through stdio (flushed after each command),
 * so the two never reorder.
 *
 * Keys: printable bytes insert at the cursor; Backspace/DEL delete before
 * it; Ctrl-U clears the line; Ctrl-C drops it; ESC [ C / ESC [ D move
 * right/left; ESC [ A / ESC [ B walk the history; Enter (CR, LF or CR LF)
 * runs the line.
 */
#include <errno.h>
#include <kernel/console.h>
#include <kernel/thread.h>
#include <kernel/wait.h>
#include <shell/shell.h>
#include <stdio.h>
#include <string.h>

#define HISTORY 16
#define PROMPT "tb> "

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

const struct shell_cmd *shell_cmds_begin(void) { return __shell_cmds_start; }
const struct shell_cmd *shell_cmds_end(void) { return __shell_cmds_end; }

struct editor {
	char line[SHELL_LINE_MAX];
	unsigned len, cursor;
	char history[HISTORY][SHELL_LINE_MAX];
	unsigned nhistory;		/* entries ever added */
	unsigned browse;		/* 0: editing a new line; k: k-th newest entry */
};

static void out(const char *s) { console_write(s, strlen(s)); }

/* Redraw the whole line and put the cursor back where it was. */
static void redraw(struct editor *e)
{
	char buf[SHELL_LINE_MAX + 32];
	int n = snprintf(buf, sizeof buf, "\r%s%.*s\033[K", PROMPT, (int)e->len, e->line);
	console_write(buf, (size_t)n);
	if (e->cursor < e->len) {
		n = snprintf(buf, sizeof buf, "\033[%uD", e->len - e->cursor);
		console_write(buf, (size_t)n);
	}
}

static void insert(struct editor *e, char c)
{
	if (e->len + 1 >= sizeof e->line)
		return;		/* full: the byte is ignored */
	memmove(e->line + e->cursor + 1, e->line + e->cursor, e->len - e->cursor);
	e->line[e->cursor++] = c;
	e->len++;
	if (e->cursor == e->len)
		console_write(&c, 1);	/* typing at the end: just echo */
	else
		redraw(e);
}

static void backspace(struct editor *e)
{
	if (!e->cursor)
		return;
	memmove(e->line + e->cursor - 1, e->line + e->cursor, e->len - e->cursor);
	e->cursor--;
	e->len--;
	redraw(e);
}

static void history_add(struct editor *e)
{
	if (!e->len)
		return;
	if (e->nhistory) {
		const char *last = e->history[(e->nhistory - 1) % HISTORY];
		if (strlen(last) == e->len && memcmp(last, e->line, e->len) == 0)
			return;	/* the same again: kept once */
	}
	char *slot = e->history[e->nhistory++ % HISTORY];
	memcpy(slot, e->line, e->len);
	slot[e->len] = 0;
}

/* Up (older, dir 1) or down (newer, dir -1) through the history. */
static void history_walk(struct editor *e, int dir)
{
	unsigned have = e->nhistory < HISTORY ? e->nhistory : HISTORY;
	unsigned next = e->browse + (unsigned)dir;
	if (dir > 0 && e->browse >= have)
		return;
	if (dir < 0 && e->browse == 0)
		return;
	e->browse = next;
	if (next == 0) {
		e->len = 0;
	} else {
		const char *h = e->history[(e->nhistory - next) % HISTORY];
		e->len = (unsigned)strlen(h);
		memcpy(e->line, h, e->len);
	}
	e->cursor = e->len;
	redraw(e);
}

static const struct shell_cmd *find(const char *name)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int shell_exec(const char *text)
{
	char line[SHELL_LINE_MAX];
	snprintf(line, sizeof line, "%s", text);
	char *argv[SHELL_ARGS_MAX + 1];
	int argc = 0;
	for (char *p = strtok(line, " \t"); p; p = strtok(NULL, " \t")) {
		if (argc == SHELL_ARGS_MAX) {
			printf("shell: too many words (at most %d)\n", SHELL_ARGS_MAX);
			fflush(stdout);
			return -E2BIG;
		}
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	if (!argc)
		return 0;
	const struct shell_cmd *c = find(argv[0]);
	int status;
	if (!c) {
		printf("shell: unknown command '%s' (try 'help')\n", argv[0]);
		status = -ENOENT;
	} else {
		status = c->fn(argc, argv);
	}
	fflush(stdout);
	return status;
}

/* One key (or escape sequence) read and applied; true when a line is
 * complete in e->line. */
static bool edit_key(struct editor *e, int *last)
{
	int c = console_input_read(WAIT_FOREVER);
	int prev = *last;
	*last = c;
	switch (c) {
	case '\r':
		return true;
	case '\n':
		return prev != '\r';	/* CR LF is one Enter */
	case 0x7f:
	case '\b':
		backspace(e);
		return false;
	case 0x15:	/* Ctrl-U */
		e->len = e->cursor = 0;
		redraw(e);
		return false;
	case 0x03:	/* Ctrl-C */
		out("^C\n" PROMPT);
		e->len = e->cursor = 0;
		e->browse = 0;
		return false;
	case 0x1b: {
		if (console_input_read(100 * 1000000ull) != '[')
			return false;
		int k = console_input_read(100 * 1000000ull);
		if (k == 'A')
			history_walk(e, 1);
		else if (k == 'B')
			history_walk(e, -1);
		else if (k == 'C' && e->cursor < e->len)
			e->cursor++, out("\033[C");
		else if (k == 'D' && e->cursor > 0)
			e->cursor--, out("\033[D");
		return false;
	}
	default:
		if (c >= 0x20 && c < 0x7f)
			insert(e, (char)c);
		return false;
	}
}

static void *shell_main(void *arg)
{
	static struct editor ed;	/* one shell: its history outlives a line */
	struct editor *e = &ed;
	int last = 0;
	out("threadbare shell: 'help' lists the commands\n" PROMPT);
	for (;;) {
		if (!edit_key(e, &last))
			continue;
		out("\n");
		e->line[e->len] = 0;
		history_add(e);
		shell_exec(e->line);
		e->len = e->cursor = 0;
		e->browse = 0;
		out(PROMPT);
	}
	return NULL;
}

int shell_start(struct thread **out_thread)
{
	int err = console_input_start();
	if (err)
		return err;
	struct thread_attr attr = { .name = "shell", .prio = SHELL_PRIO, .stack_size = 32 * 1024 };
	return thread_create(out_thread, &attr, shell_main, NULL);
}
