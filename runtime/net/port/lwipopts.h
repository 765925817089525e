/*
 * lwIP configuration for threadbare: NO_SYS=1, the raw API, owned by one
 * event loop (runtime/net/net.c). No locking: every lwIP call runs on the
 * loop's thread (its callbacks and tasks), which is what NO_SYS asks.
 *
 * Sized for 150 concurrent TCP connections each with a full window in
 * both directions, and UDP bursts that fill the RX ring. The receive side
 * matters most: data a connection has not read yet holds pool pbufs, so
 * the pool must cover every window at once (150 x 8 segments = 1200 of
 * 1536), or unread data starves the ACKs everyone else needs and the
 * connections stall together. Pools that run out anyway count a drop in
 * lwIP's stats (LWIP_STATS) and the net counters; nothing crashes.
 */
#pragma once

#define NO_SYS			1
#define LWIP_SOCKET		0
#define LWIP_NETCONN		0
#define LWIP_TIMERS		1
#define SYS_LIGHTWEIGHT_PROT	0

/* Memory: lwIP's heap for PBUF_RAM and its pools, from newlib's malloc
 * once at start-up (MEM_LIBC_MALLOC would call malloc per segment). */
#define MEM_ALIGNMENT		8
#define MEM_SIZE		(4 * 1024 * 1024)	/* send buffers: 150 x TCP_SND_BUF and more */
#define MEMP_NUM_PBUF		256
#define MEMP_NUM_UDP_PCB	16
#define MEMP_NUM_TCP_PCB	160
#define MEMP_NUM_TCP_PCB_LISTEN	16
#define MEMP_NUM_TCP_SEG	(150 * TCP_SND_QUEUELEN)
#define MEMP_NUM_SYS_TIMEOUT	16
#define PBUF_POOL_SIZE		1536
#define PBUF_POOL_BUFSIZE	1536

/* Protocols. */
#define LWIP_ARP		1
#define LWIP_ETHERNET		1
#define LWIP_IPV4		1
#define LWIP_IPV6		0
#define LWIP_ICMP		1
#define LWIP_RAW		0
#define LWIP_UDP		1
#define LWIP_TCP		1
#define LWIP_DHCP		1
#define LWIP_DNS		0
#define LWIP_IGMP		0
#define LWIP_AUTOIP		0
#define LWIP_ACD		0
#define IP_REASSEMBLY		1
#define IP_FRAG			1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define DHCP_DOES_ARP_CHECK	0

/* TCP: a receive window of 8 segments, a send buffer of 16. */
#define TCP_MSS			1460
#define TCP_WND			(8 * TCP_MSS)
#define TCP_SND_BUF		(16 * TCP_MSS)
#define TCP_SND_QUEUELEN	(2 * TCP_SND_BUF / TCP_MSS)
#define TCP_QUEUE_OOSEQ		1
#define LWIP_TCP_KEEPALIVE	1
#define TCP_LISTEN_BACKLOG	0	/* the socket layer bounds its own accept queue */

/* Checksums: computed and checked in software (no offload negotiated). */
#define CHECKSUM_GEN_IP		1
#define CHECKSUM_GEN_UDP	1
#define CHECKSUM_GEN_TCP	1
#define CHECKSUM_GEN_ICMP	1
#define CHECKSUM_CHECK_IP	1
#define CHECKSUM_CHECK_UDP	1
#define CHECKSUM_CHECK_TCP	1
#define CHECKSUM_CHECK_ICMP	1
#define LWIP_CHKSUM_ALGORITHM	3

/* Counters for the status page and the malformed-input tests. */
#define LWIP_STATS		1
#define LWIP_STATS_DISPLAY	0
#define LWIP_STATS_LARGE	1	/* 32-bit counters: a 16-bit one wraps in a test run */
#define LINK_STATS		1
#define ETHARP_STATS		1
#define IP_STATS		1
#define ICMP_STATS		1
#define UDP_STATS		1
#define TCP_STATS		1
#define MEM_STATS		1
#define MEMP_STATS		1

#define LWIP_NETIF_HOSTNAME	1
#define LWIP_DEBUG		0
