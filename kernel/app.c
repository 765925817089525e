/*
 * Picking and running the application named on the command line.
 */
#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <kernel/trace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct app __apps_start[], __apps_end[];

static const struct app *app_find(const char *name)
{
	for (const struct app *a = __apps_start; a < __apps_end; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

noreturn void app_run(void)
{
	char name[32];
	if (!cmdline_get("app", name, sizeof name))
		strcpy(name, DEFAULT_APP);
	const struct app *a = app_find(name);
	if (!a) {
		kprintf("threadbare: no app named '%s'; apps are:\n", name);
		for (const struct app *b = __apps_start; b < __apps_end; b++)
			kprintf("  %-12s %s\n", b->name, b->summary);
		exit(2);
	}
	trace_boot_start();	/* trace=on: record the app's run, dump it after */
	int status = a->main();
	fflush(stdout);
	trace_boot_finish();
	exit(status);
}
