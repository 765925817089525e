/*
 * Applications. Each app registers itself with APP(); the command line
 * (`app=name`) picks one at boot, and the kernel runs it on the boot CPU and
 * powers off with its return value as the exit status.
 */
#pragma once

#include <stdnoreturn.h>

struct app {
	const char *name;
	int (*main)(void);
	const char *summary;
};

#define APP(appname, fn, text)                                                 \
	static const struct app app_record_##fn                                \
		__attribute__((used, section(".apps"), aligned(8))) = {        \
			.name = (appname), .main = (fn), .summary = (text) }

/* Boot CPU, from kmain(): run the selected app, then exit(status). */
noreturn void app_run(void);
