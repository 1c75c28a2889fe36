/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel guest's shim: what kernel/smp.c and lib/llist.c of a Linux tree
 * include, besides the tree's own include/linux/{smp,smp_types,llist,kconfig,
 * string_choices}.h, include/trace/events/{csd,ipi}.h and kernel/sched/smp.h
 * (kernel/defs.bzl TREE_FILES). Every other header those files include is a
 * one-line file in this directory that includes this one. Written from the
 * kernel's documented interfaces, for userspace:
 *  - marked accesses stay what they are to the compiler: READ_ONCE/WRITE_ONCE
 *    are volatile accesses, smp_load_acquire/xchg/try_cmpxchg/atomic_* are
 *    __atomic builtins, so -fsanitize=thread turns each into a __tsan_* call
 *    that the guest's runtime (kernel/runtime/) makes a scheduling point;
 *  - barriers, interrupts, IPIs, the clock, per-CPU data and printk go to
 *    the runtime's C interface (kernel/runtime/kernel_api.h);
 *  - irq_work_single() and sched_ttwu_pending(), which smp.c's flush calls
 *    for CSD_TYPE_IRQ_WORK and CSD_TYPE_TTWU entries, are smpfuzz's own,
 *    after kernel/irq_work.c and kernel/sched/core.c (smp_glue.inc);
 *  - what smp.c only mentions (workqueues, hotplug, NMI backtraces,
 *    tracepoints) is stubbed.
 * CONFIG: SMP, 64BIT, CSD_LOCK_WAIT_DEBUG (csdlock_debug= decides at run
 * time), NR_CPUS=64, no PREEMPT_RT, no CPUMASK_OFFSTACK.
 *
 * Two trees build against it unchanged, Debian's 6.12 and 6.1. What 6.1
 * does differently, and what covers it (no version tests anywhere):
 *  - no include/linux/string_choices.h (smp_init() spells its plurals out)
 *    and no include/trace/events/csd.h; its smp.c includes no trace header
 *    at all. kernel/extract_tree.sh writes a file a tree lacks as an #error;
 *    the tracepoint stubs below serve 6.12 only.
 *  - kernel/sched/smp.h, the scheduler's side of smp.c: 6.1's scheduler
 *    provides send_call_function_single_ipi(), 6.12's provides
 *    call_function_single_prep_ipi() and its smp.c wraps that in a static
 *    send_call_function_single_ipi() of its own. The tree's header is used
 *    (-iquote); this file defines call_function_single_prep_ipi() inline and
 *    sched_core.c send_call_function_single_ipi() out of line, where 6.12's
 *    static one cannot collide with it.
 *  - csdlock_debug= also takes "ext" (strcmp, below) and turns on the
 *    cfd_seq event log: a u64 sequence counter bumped with cmpxchg(), and a
 *    struct cfd_percpu around each cfd csd (cfd_data.pcpu, not .csd), which
 *    kernel/runtime/smp_glue.inc tells apart by 6.1's cfd_seq_store() macro.
 *  - the rest is the same interface used differently: 6.1's llist_add_batch()
 *    re-reads head->first on each try, its csd_lock_wait_toolong() has no
 *    sched_clock-went-backward check, its smp.h has no csd_lock_is_stuck().
 */
#ifndef SMPFUZZ_KERNEL_SHIM_H_
#define SMPFUZZ_KERNEL_SHIM_H_

#include "../runtime/kernel_api.h"

/* ---- types ---------------------------------------------------------------- */
typedef _Bool bool;
enum { false = 0, true = 1 };
#define NULL ((void *)0)
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef unsigned long ulong;
typedef unsigned long size_t;
typedef long ssize_t;
typedef unsigned long uintptr_t;
typedef unsigned int gfp_t;
typedef struct { int counter; } atomic_t;
#define ATOMIC_INIT(i) { (i) }
struct list_head { struct list_head *next, *prev; };
struct task_struct;
struct pt_regs;

#define offsetof(t, m) __builtin_offsetof(t, m)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* ---- compiler -------------------------------------------------------------- */
#define __aligned(x) __attribute__((__aligned__(x)))
#define __always_inline inline __attribute__((__always_inline__))
#define __weak __attribute__((__weak__))
#define __noreturn __attribute__((__noreturn__))
#define __maybe_unused __attribute__((__unused__))
#define __used __attribute__((__used__))
#define __read_mostly
#define __init
#define __initdata
#define __percpu
#define __must_check
#define __cacheline_aligned __aligned(64)
#define ____cacheline_aligned __aligned(64)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() __asm__ __volatile__("" ::: "memory")
#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define _RET_IP_ ((unsigned long)__builtin_return_address(0))
#define __unqual_scalar_typeof(x) __typeof__((x) + 0 ? (x) : (x))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BITS_PER_LONG 64
#define NSEC_PER_MSEC 1000000L
#define ilog2(n) ((n) < 2 ? 0 : 63 - __builtin_clzll(n))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

/* ---- marked accesses --------------------------------------------------------- */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val) do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define try_cmpxchg(p, po, n) \
	__atomic_compare_exchange_n((p), (po), (n), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define try_cmpxchg_acquire(p, po, n) \
	__atomic_compare_exchange_n((p), (po), (n), false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)
#define cmpxchg(p, o, n) ({ __typeof__(*(p)) __o = (o); \
	__atomic_compare_exchange_n((p), &__o, (n), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); __o; })
#define smp_mb() smpfuzz_fence(0)
#define smp_wmb() smpfuzz_fence(1)
#define smp_rmb() smpfuzz_fence(2)
#define smp_acquire__after_ctrl_dep() smpfuzz_fence(3)
#define cpu_relax() smpfuzz_cpu_relax()
#define smp_cond_load_acquire(ptr, cond_expr) ({		\
	__typeof__(ptr) __PTR = (ptr);				\
	__unqual_scalar_typeof(*(ptr)) VAL;			\
	for (;;) {						\
		VAL = smp_load_acquire(__PTR);			\
		if (cond_expr)					\
			break;					\
		cpu_relax();					\
	}							\
	(__typeof__(*(ptr)))VAL; })

#define atomic_read(v) READ_ONCE((v)->counter)
#define atomic_set(v, i) WRITE_ONCE((v)->counter, (i))
#define atomic_set_release(v, i) smp_store_release(&(v)->counter, (i))
#define atomic_inc(v) ((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_dec(v) ((void)__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_inc_return(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_cmpxchg_acquire(v, o, n) ({ int __o = (o); \
	__atomic_compare_exchange_n(&(v)->counter, &__o, (n), false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE); __o; })

/* ---- errors, printk, WARN, BUG ---------------------------------------------- */
#define ENOMEM 12
#define EBUSY 16
#define EINVAL 22
#define ENXIO 6
#define KBUILD_MODNAME "smp"
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define printk(fmt, ...) smpfuzz_printk(fmt, ##__VA_ARGS__)
#define pr_alert(fmt, ...) smpfuzz_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) smpfuzz_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) smpfuzz_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) smpfuzz_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define WARN_ON(c) ({ bool __c = !!(c); if (unlikely(__c)) smpfuzz_warn(__FILE__, __LINE__, __func__); unlikely(__c); })
#define WARN_ON_ONCE(c) WARN_ON(c)
#define WARN(c, fmt, ...) ({ bool __c = !!(c); if (unlikely(__c)) { smpfuzz_printk(fmt, ##__VA_ARGS__); smpfuzz_warn(__FILE__, __LINE__, __func__); } unlikely(__c); })
#define WARN_ONCE(c, fmt, ...) WARN(c, fmt, ##__VA_ARGS__)
#define BUG_ON(c) do { if (unlikely(c)) smpfuzz_bug(__FILE__, __LINE__); } while (0)
#define BUG() smpfuzz_bug(__FILE__, __LINE__)
#define oops_in_progress 0
#define early_boot_irqs_disabled false
static inline void dump_stack(void) {}
static inline void dump_cpu_task(int cpu) { (void)cpu; }

/* ---- boot parameters, exports, modules ---------------------------------------- */
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
/* Each boot parameter's handler stays callable: smpfuzz_param_<fn>(str). */
#define __setup(str, fn) int smpfuzz_param_##fn(char *s) { return fn(s); }
#define early_param(str, fn) __setup(str, fn)
/* The variable's address is taken, as the kernel's parameter table does, so
 * the compiler cannot fold it; smpfuzz_modparam_<name> sets it. */
#define module_param(name, type, perm) \
	void *smpfuzz_modparam_##name = &name;
static inline int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}
static inline int get_option(char **str, void *pint)
{
	int v = 0;
	const char *s = *str;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	if (s == *str)
		return 0;
	*(int *)pint = v;
	return 1;
}

/* ---- static keys ------------------------------------------------------------ */
struct static_key_false { int enabled; };
struct static_key_true { int enabled; };
#define DEFINE_STATIC_KEY_FALSE(name) struct static_key_false name = { 0 }
#define DEFINE_STATIC_KEY_TRUE(name) struct static_key_true name = { 1 }
#define DEFINE_STATIC_KEY_MAYBE(cfg, name) DEFINE_STATIC_KEY_FALSE(name)
/* Read without instrumentation: patched code, not data, in the kernel. */
__attribute__((no_sanitize("thread"))) static inline bool smpfuzz_key(const int *k) { return *k; }
__attribute__((no_sanitize("thread"))) static inline void smpfuzz_key_set(int *k, int v) { *k = v; }
#define static_branch_unlikely(k) smpfuzz_key(&(k)->enabled)
#define static_branch_likely(k) smpfuzz_key(&(k)->enabled)
#define static_branch_enable(k) smpfuzz_key_set(&(k)->enabled, 1)
#define static_branch_disable(k) smpfuzz_key_set(&(k)->enabled, 0)

/* ---- CPUs and masks ----------------------------------------------------------- */
#define NR_CPUS CONFIG_NR_CPUS
struct cpumask { unsigned long bits[1]; };
typedef struct cpumask cpumask_var_t[1];
extern unsigned int nr_cpu_ids;
extern struct cpumask smpfuzz_cpu_online_mask, smpfuzz_cpu_possible_mask;
#define cpu_online_mask ((const struct cpumask *)&smpfuzz_cpu_online_mask)
#define cpu_possible_mask ((const struct cpumask *)&smpfuzz_cpu_possible_mask)
#define cpumask_bits(m) ((m)->bits)
/* The masks are the sender's own or read-only: not scheduling points. */
#define SMPFUZZ_NOSAN __attribute__((no_sanitize("thread"))) static inline
SMPFUZZ_NOSAN bool cpumask_test_cpu(int cpu, const struct cpumask *m)
{ return cpu >= 0 && cpu < NR_CPUS && ((m->bits[0] >> cpu) & 1); }
SMPFUZZ_NOSAN void __cpumask_set_cpu(int cpu, struct cpumask *m) { m->bits[0] |= 1UL << cpu; }
SMPFUZZ_NOSAN void __cpumask_clear_cpu(int cpu, struct cpumask *m) { m->bits[0] &= ~(1UL << cpu); }
SMPFUZZ_NOSAN void cpumask_clear(struct cpumask *m) { m->bits[0] = 0; }
SMPFUZZ_NOSAN bool cpumask_and(struct cpumask *d, const struct cpumask *a, const struct cpumask *b)
{ d->bits[0] = a->bits[0] & b->bits[0]; return d->bits[0] != 0; }
SMPFUZZ_NOSAN unsigned int smpfuzz_next_bit(unsigned long bits, int after)
{
	int n = after + 1;
	if (n >= (int)nr_cpu_ids)
		return nr_cpu_ids;
	bits &= ~0UL << n;
	bits &= nr_cpu_ids >= 64 ? ~0UL : (1UL << nr_cpu_ids) - 1;
	return bits ? (unsigned int)__builtin_ctzl(bits) : nr_cpu_ids;
}
SMPFUZZ_NOSAN unsigned int cpumask_next(int n, const struct cpumask *m)
{ return smpfuzz_next_bit(m->bits[0], n); }
SMPFUZZ_NOSAN unsigned int cpumask_first_and(const struct cpumask *a, const struct cpumask *b)
{ return smpfuzz_next_bit(a->bits[0] & b->bits[0], -1); }
SMPFUZZ_NOSAN unsigned int cpumask_next_and(int n, const struct cpumask *a, const struct cpumask *b)
{ return smpfuzz_next_bit(a->bits[0] & b->bits[0], n); }
SMPFUZZ_NOSAN unsigned int cpumask_weight(const struct cpumask *m)
{ return (unsigned int)__builtin_popcountl(m->bits[0]); }
#define cpumask_any_and(a, b) cpumask_first_and((a), (b))
#define cpumask_of_node(node) cpu_possible_mask
#define cpu_to_node(cpu) 0
#define num_online_nodes() 1
#define for_each_cpu(cpu, mask) \
	for ((cpu) = -1; (cpu) = cpumask_next((cpu), (mask)), (cpu) < (int)nr_cpu_ids;)
#define for_each_possible_cpu(cpu) for_each_cpu((cpu), cpu_possible_mask)
#define for_each_online_cpu(cpu) for_each_cpu((cpu), cpu_online_mask)
#define cpu_online(cpu) cpumask_test_cpu((cpu), cpu_online_mask)
#define num_online_cpus() cpumask_weight(cpu_online_mask)
static inline bool zalloc_cpumask_var_node(cpumask_var_t *m, gfp_t f, int node)
{ (void)f; (void)node; cpumask_clear(*m); return true; }
static inline void free_cpumask_var(cpumask_var_t m) { (void)m; }
static inline void set_nr_cpu_ids(unsigned int n) { nr_cpu_ids = n; }
static inline unsigned long find_last_bit(const unsigned long *b, unsigned long size)
{ return *b ? 63 - __builtin_clzl(*b) : size; }
#define GFP_KERNEL 0u

/* ---- this CPU, preemption, interrupts ------------------------------------------- */
#define raw_smp_processor_id() smpfuzz_cpu_id()
#define preempt_disable() smpfuzz_preempt_disable()
#define preempt_enable() smpfuzz_preempt_enable()
#define in_task() (1)
#define irqs_disabled() smpfuzz_irqs_disabled()
#define local_irq_save(flags) do { (flags) = smpfuzz_irq_save(); } while (0)
#define local_irq_restore(flags) smpfuzz_irq_restore(flags)
#define lockdep_assert_irqs_disabled() do { } while (0)
#define lockdep_assert_irqs_enabled() do { } while (0)
#define lockdep_assert_preemption_disabled() do { } while (0)
#define local_softirq_pending() 0
static inline void do_softirq_post_smp_call_flush(unsigned int was) { (void)was; }
static inline void arch_send_call_function_single_ipi(int cpu) { smpfuzz_send_ipi(cpu); }
static inline void arch_send_call_function_ipi_mask(const struct cpumask *m)
{ smpfuzz_send_ipi_mask(m->bits[0]); }
/* The scheduler's side of the tree's kernel/sched/smp.h (kernel/sched/core.c):
 * TIF_POLLING_NRFLAG idle is not modelled, every queueing needs its IPI.
 * Older trees (6.1) call send_call_function_single_ipi(), which the scheduler
 * defines (sched_core.c here, out of line: later trees define a static one
 * of that name in smp.c); newer ones (6.12) call call_function_single_prep_ipi(). */
static inline bool call_function_single_prep_ipi(int cpu) { (void)cpu; return true; }
static inline unsigned long long sched_clock(void) { return smpfuzz_sched_clock(); }

/* ---- per-CPU data ------------------------------------------------------------------ */
/* Definitions live in one section, the template; each CPU's copy is the
 * template plus that CPU's offset (kernel/runtime/percpu). */
#define SMPFUZZ_PERCPU __attribute__((section("smpfuzz_percpu"), aligned(64)))
#define DEFINE_PER_CPU(type, name) SMPFUZZ_PERCPU __typeof__(type) name
#define DEFINE_PER_CPU_ALIGNED(type, name) DEFINE_PER_CPU(type, name)
#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) DEFINE_PER_CPU(type, name)
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name
#define per_cpu_ptr(ptr, cpu) \
	((__typeof__(ptr))smpfuzz_per_cpu_ptr((ptr), (cpu), sizeof(*(ptr))))
#define per_cpu(var, cpu) (*per_cpu_ptr(&(var), (cpu)))
#define this_cpu_ptr(ptr) per_cpu_ptr((ptr), raw_smp_processor_id())
#define __this_cpu_write(var, val) do { *this_cpu_ptr(&(var)) = (val); } while (0)
#define __this_cpu_read(var) (*this_cpu_ptr(&(var)))
#define alloc_percpu(type) \
	((type __percpu *)smpfuzz_alloc_percpu(sizeof(type), __alignof__(type)))
static inline void free_percpu(void *p) { (void)p; }

/* ---- what smp.c mentions but the guest does not run ------------------------------------ */
/* The two other users of call_single_queue: declared here, defined (after the
 * tree's smp.c, which calls them) in kernel/runtime/smp_glue.inc. */
struct irq_work;
static void irq_work_single(void *arg);
static inline void irq_work_run(void) {}
static void sched_ttwu_pending(void *arg);
static inline void wake_up_if_idle(int cpu) { (void)cpu; }
static inline void hypervisor_pin_vcpu(int cpu) { (void)cpu; }
static inline void idle_threads_init(void) {}
static inline void cpuhp_threads_init(void) {}
static inline void bringup_nonboot_cpus(unsigned int n) { (void)n; }
static inline void smp_cpus_done(unsigned int n) { (void)n; }
struct work_struct { void (*func)(struct work_struct *); };
struct completion { unsigned int done; };
struct workqueue_struct;
#define system_wq ((struct workqueue_struct *)0)
#define COMPLETION_INITIALIZER_ONSTACK(c) { 0 }
#define INIT_WORK_ONSTACK(w, f) do { (w)->func = (f); } while (0)
static inline void complete(struct completion *c) { c->done = 1; }
static inline void wait_for_completion(struct completion *c) { (void)c; BUG(); }
static inline bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *w)
{ (void)cpu; (void)wq; (void)w; return true; }
static inline void destroy_work_on_stack(struct work_struct *w) { (void)w; }

/* ---- tracepoints: compiled out (trace_*_enabled() is false) -------------------------------- */
#define PARAMS(args...) args
#define TP_PROTO(args...) args
#define TP_ARGS(args...) args
#define TP_STRUCT__entry(args...)
#define TP_fast_assign(args...)
#define TP_printk(args...)
#define TRACE_EVENT(name, proto, args, tstruct, assign, print) \
	static inline void trace_##name(proto) {}			\
	static inline bool trace_##name##_enabled(void) { return false; }
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args) \
	static inline void trace_##name(proto) {}			\
	static inline bool trace_##name##_enabled(void) { return false; }

#endif /* SMPFUZZ_KERNEL_SHIM_H_ */
