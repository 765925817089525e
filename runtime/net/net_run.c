/*
 * net_run(): the loop, the stack and an app's first task, in one call
 * (see net/net.h).
 */
#include <errno.h>
#include <kernel/log.h>
#include <loop/task.h>
#include <net/net.h>

int net_run(const char *name, loop_task_fn *main_task, void *arg)
{
	struct net_config cfg;
	int err = net_config_from_cmdline(&cfg);
	if (err)
		return err;
	struct loop *l;
	if ((err = loop_create(&l, name)))
		return err;
	if ((err = net_start(l, NULL, &cfg))) {
		kprintf("%s: the network did not start (%d)\n", name, err);
		loop_close(l);
		return err;
	}
	struct loop_task *t;
	struct loop_task_attr attr = { .name = name };
	if ((err = loop_task_spawn(&t, l, &attr, main_task, arg)))
		return err;
	intptr_t result = 0;
	err = loop_run_until_complete(l, loop_task_future(t), &result);
	return err ? err : (int)result;
}
