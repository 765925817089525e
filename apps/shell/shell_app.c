/*
 * shell: the serial shell on the console, until `poweroff` or `reboot`.
 */
#include <kernel/app.h>
#include <kernel/thread.h>
#include <shell/shell.h>
#include <stdio.h>

static int shell_app(void)
{
	struct thread *t;
	int err = shell_start(&t);
	if (err) {
		printf("shell: cannot start (%d)\n", err);
		return 1;
	}
	thread_join(t, NULL);	/* the shell ends only with the machine */
	return 0;
}
APP("shell", shell_app, "the serial shell (help lists its commands)");
