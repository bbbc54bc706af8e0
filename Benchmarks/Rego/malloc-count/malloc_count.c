/*
 * Counts heap allocations of a process, for `astral rego bench`.
 *
 * Build:  cc -shared -fPIC -O2 -o libmalloc_count.so malloc_count.c
 * Use:    LD_PRELOAD=./libmalloc_count.so astral rego bench ...
 *
 * Every allocating entry point of glibc's malloc family is wrapped: the call is
 * counted, then forwarded to glibc's own implementation (__libc_*). The bench
 * finds `astral_malloc_count` with dlsym and reports allocations per evaluation.
 * With ASTRAL_MALLOC_COUNT_REPORT=1 in the environment the total is also printed to
 * stderr at exit (for binaries that do not look the counter up).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *p);

static _Atomic unsigned long long allocations;

/* Allocations made so far by the whole process. */
unsigned long long astral_malloc_count(void) {
    return atomic_load_explicit(&allocations, memory_order_relaxed);
}

static inline void count(void) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
}

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count();
    void *p = __libc_memalign(alignment, size);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}

__attribute__((destructor)) static void report(void) {
    const char *flag = getenv("ASTRAL_MALLOC_COUNT_REPORT");
    if (flag != NULL && flag[0] == '1') {
        fprintf(stderr, "malloc_count: %llu allocations\n", astral_malloc_count());
    }
}
