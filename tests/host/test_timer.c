/*
 * Kernel timers across CPUs: cancelling a timer whose function runs on
 * another CPU waits for it, whether the canceller then moves onto that CPU
 * or the function re-armed the timer elsewhere. Includes kernel/timer.c to
 * reach its per-CPU state; two pretend CPUs, moved between by the hooks of
 * tests/host/arch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "fakes.h"
#include "../../kernel/timer.c"

/* --- fakes for what timer.c calls ------------------------------------------ */
uint64_t time_ns_per_tick_fp = 1ull << 32;	/* one tick, one ns */
uint64_t time_ns_to_ticks(uint64_t ns) { return ns; }
void arch_timer_arm(uint64_t deadline) {}
void arch_timer_disarm(void) {}
void sched_tick(uint64_t now) {}

static struct cpu cpus[2];
static struct runq_cpu rqs[2];

static int setup(void **state)
{
	timer_init();
	for (unsigned i = 0; i < 2; i++) {
		cpus[i] = (struct cpu){ .index = i, .runq = &rqs[i] };
		rqs[i] = (struct runq_cpu){ 0 };
	}
	host_cpu_now = &cpus[0];
	host_irq_restore_hook = NULL;
	host_relax_hook = NULL;
	return 0;
}

static int teardown(void **state)
{
	host_cpu_now = &host_cpu;
	host_irq_restore_hook = NULL;
	host_relax_hook = NULL;
	return 0;
}

/* --- a run of a timer's function on another CPU, held open ------------------ */
/* What timer_interrupt() does around a function, split in two so the test
 * can act in between; timer_interrupt_marks_the_run checks the real one. */
static struct timer tm;
static struct cpu *run_cpu;

static void begin_run(struct cpu *c)
{
	struct timer_cpu *tc = tc_of(c);
	assert_true(timerq_remove(&tc->q, &tm.entry));
	tc->running = &tm;
	tm.runs++;
	run_cpu = c;
}

static void end_run(void)
{
	tm.runs--;
	tc_of(run_cpu)->running = NULL;
	run_cpu = NULL;
}

static void nothing(struct timer *t) {}

static void arm_on(struct cpu *c, uint64_t deadline)
{
	struct cpu *was = host_cpu_now;
	host_cpu_now = c;
	timer_arm(&tm, deadline, nothing);
	host_cpu_now = was;
}

/* --- tests ------------------------------------------------------------------ */
static unsigned seen_runs;
static struct timer *seen_running;
static void look(struct timer *t)
{
	seen_runs = t->runs;
	seen_running = tc_of(this_cpu())->running;
}

static void timer_interrupt_marks_the_run(void **state)
{
	tm = (struct timer){ 0 };
	timer_arm(&tm, 0, look);	/* due at once: time_now() is 0 here */
	timer_interrupt();
	assert_int_equal(seen_runs, 1);
	assert_ptr_equal(seen_running, &tm);
	assert_int_equal(tm.runs, 0);
	assert_null(tc_of(&cpus[0])->running);
	assert_false(timer_cancel(&tm));	/* ran: nothing pending */
}

static void cancel_removes_a_pending_timer_of_another_cpu(void **state)
{
	tm = (struct timer){ 0 };
	arm_on(&cpus[1], 0);
	assert_true(timer_cancel(&tm));
	host_cpu_now = &cpus[1];
	seen_runs = 99;
	tm.fn = look;
	timer_interrupt();
	assert_int_equal(seen_runs, 99);	/* it did not run */
}

/* The canceller saw the function running on CPU 1, then (interrupts back
 * on) moved to CPU 1 once it had finished: that is not a call from the
 * function itself. */
static void move_onto_the_cpu(void)
{
	if (run_cpu) {
		end_run();
		host_cpu_now = &cpus[1];
	}
}

static void cancel_then_move_onto_the_timer_cpu_is_not_misuse(void **state)
{
	tm = (struct timer){ 0 };
	arm_on(&cpus[1], 0);
	begin_run(&cpus[1]);
	host_irq_restore_hook = move_onto_the_cpu;
	assert_false(timer_cancel(&tm));	/* aborts (panic) if mistaken */
	assert_ptr_equal(host_cpu_now, &cpus[1]);
	assert_int_equal(tm.runs, 0);
}

/* The function, still running on CPU 1, re-armed its timer on CPU 0 (it
 * took a lock a thread on CPU 0 then took and armed under). Cancel from
 * CPU 0 must wait for CPU 1's run, not only disarm CPU 0's queue. */
static unsigned relaxes;
static void finish_after_three_spins(void)
{
	if (++relaxes == 3)
		end_run();
}

static void cancel_waits_for_a_run_after_a_rearm_elsewhere(void **state)
{
	tm = (struct timer){ 0 };
	arm_on(&cpus[1], 0);
	begin_run(&cpus[1]);
	arm_on(&cpus[0], 100);
	relaxes = 0;
	host_relax_hook = finish_after_three_spins;
	assert_true(timer_cancel(&tm));
	assert_int_equal(relaxes, 3);	/* returned only once the run was over */
	assert_null(run_cpu);
	assert_false(tm.entry.queued);
}

/* Its function re-armed it while the cancel waited: disarmed again. */
static void rearm_and_finish(void)
{
	if (run_cpu) {
		arm_on(&cpus[1], 100);
		end_run();
	}
}

static void cancel_disarms_a_timer_its_function_rearmed(void **state)
{
	tm = (struct timer){ 0 };
	arm_on(&cpus[1], 0);
	begin_run(&cpus[1]);
	host_relax_hook = rearm_and_finish;
	assert_true(timer_cancel(&tm));
	assert_false(tm.entry.queued);
	assert_null(timerq_peek(&tc_of(&cpus[1])->q));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(timer_interrupt_marks_the_run, setup, teardown),
		cmocka_unit_test_setup_teardown(cancel_removes_a_pending_timer_of_another_cpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(cancel_then_move_onto_the_timer_cpu_is_not_misuse,
						setup, teardown),
		cmocka_unit_test_setup_teardown(cancel_waits_for_a_run_after_a_rearm_elsewhere, setup,
						teardown),
		cmocka_unit_test_setup_teardown(cancel_disarms_a_timer_its_function_rearmed, setup,
						teardown),
	};
	return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
