/*
 * Shell commands of the network: `net` (the stack's counters) and `loop`
 * (the network loop's).
 */
#include <errno.h>
#include <loop/loop.h>
#include <net/net.h>
#include <net/sock.h>
#include <shell/shell.h>
#include <stdio.h>

static int cmd_net(int argc, char **argv)
{
	if (argc > 1) {
		printf("net: takes no arguments\n");
		return -EINVAL;
	}
	net_dump();
	printf("  sockets open: %u\n", sock_count());
	return 0;
}
SHELL_CMD(net, "the network: address, frames, drops by reason, TCP connections", cmd_net);

static int cmd_loop(int argc, char **argv)
{
	if (argc > 1) {
		printf("loop: takes no arguments\n");
		return -EINVAL;
	}
	struct loop *l = net_loop();
	if (!l) {
		printf("loop: no event loop runs (the network is not started)\n");
		return 0;
	}
	struct loop_stats s;
	loop_get_stats(l, &s);
	printf("loop '%s': %s; %llu ticks, %llu callbacks, %llu timers fired, %llu threadsafe calls, "
	       "%llu sleeps; tasks %llu spawned, %llu ended; %llu slow callbacks\n",
	       loop_name(l), loop_is_running(l) ? "running" : "stopped",
	       (unsigned long long)s.ticks, (unsigned long long)s.callbacks,
	       (unsigned long long)s.timers_fired, (unsigned long long)s.threadsafe_calls,
	       (unsigned long long)s.sleeps, (unsigned long long)s.tasks_spawned,
	       (unsigned long long)s.tasks_ended, (unsigned long long)s.slow_callbacks);
	return 0;
}
SHELL_CMD(loop, "the network's event loop: ticks, callbacks, timers, tasks", cmd_loop);
