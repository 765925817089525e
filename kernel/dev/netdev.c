/*
 * The list of network interfaces drivers registered at boot. Registration
 * happens before the app runs and entries are never removed, so readers
 * need no lock: the count is published after the slot it covers.
 */
#include <kernel/dev/netdev.h>
#include <kernel/panic.h>

#define NETDEV_MAX 8

static struct netdev *netdevs[NETDEV_MAX];
static unsigned netdevs_n;

void netdev_register(struct netdev *nd)
{
	if (!nd || !nd->ops || !nd->name)
		panic("netdev_register: interface without ops or name");
	if (netdevs_n == NETDEV_MAX)
		panic("netdev_register: more than %d interfaces", NETDEV_MAX);
	netdevs[netdevs_n] = nd;
	__atomic_store_n(&netdevs_n, netdevs_n + 1, __ATOMIC_RELEASE);
}

struct netdev *netdev_get(unsigned i)
{
	return i < netdev_count() ? netdevs[i] : NULL;
}

unsigned netdev_count(void)
{
	return __atomic_load_n(&netdevs_n, __ATOMIC_ACQUIRE);
}
