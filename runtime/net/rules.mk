# runtime/net/: lwIP (from the distribution's source package, unpacked into
# build/lwip by make deps) with threadbare's port and the socket layer.
LWIP_DIR := build/lwip/src
LWIP_SRCS := $(addprefix $(LWIP_DIR)/, \
	core/def.c core/inet_chksum.c core/init.c core/ip.c core/mem.c core/memp.c \
	core/netif.c core/pbuf.c core/stats.c core/tcp.c core/tcp_in.c core/tcp_out.c \
	core/timeouts.c core/udp.c \
	core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
	core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c \
	netif/ethernet.c)
NET_SRCS := \
	runtime/net/lwip_port.c \
	runtime/net/net.c \
	runtime/net/net_cmd.c \
	runtime/net/net_run.c \
	runtime/net/netif.c \
	runtime/net/sock_wait.c \
	runtime/net/tcp_sock.c \
	runtime/net/udp_sock.c \
	$(LWIP_SRCS)
# lwIP's heap initialiser shares the kernel's mem_init() name: rename lwIP's.
NET_CFLAGS := -I$(LWIP_DIR)/include -Iruntime/net/port -Dmem_init=lwip_mem_init
# lwIP is third-party code: build it with our flags but not our warnings policy.
LWIP_OBJS = $(patsubst %,$(OUT)/obj/%.o,$(basename $(LWIP_SRCS)))
LWIP_WARNINGS := -Wno-error
