/*
 * The echo servers (echo.c), for any app that wants them beside its own.
 */
#pragma once

struct loop_future;

#define ECHO_SERVERS 3		/* UDP echo, TCP echo, counters */

/* Loop context, the network up: start UDP and TCP echo on port 7 and the
 * counters on TCP port 9 as tasks of the current loop; done[i]: each
 * one's future (it ends only on an error). 0 or -errno. */
int echo_serve(struct loop_future *done[ECHO_SERVERS]);
