/*
 * The HTTP server's parts: the server (httpd.c) and its status page
 * (status.c), which the main demo also serves.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop_task;

/* A rendered page: bounded, and says so when it did not fit. */
struct status_buf {
	char text[24 * 1024];
	size_t len;
	bool overflow;
};

/* Render the status page (CPUs, threads, coroutines, loop, network) into
 * b; return its content type. Loop context (a task of the network loop). */
const char *status_html(struct status_buf *b);
const char *status_json(struct status_buf *b);
const char *status_text(struct status_buf *b);

struct httpd_counters {
	uint64_t connections, requests, refused;
	uint64_t responses[3];		/* 2xx, 4xx, 5xx */
};
extern struct httpd_counters httpd_counters;

/* Loop context, the network up: serve HTTP on port 80 from a new task of
 * the current loop (*out: it, if out). 0 or -errno. */
int httpd_serve(struct loop_task **out);
