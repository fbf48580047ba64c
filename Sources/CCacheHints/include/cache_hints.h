#ifndef PROCSCOPE_CACHE_HINTS_H
#define PROCSCOPE_CACHE_HINTS_H

#include <stddef.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Swift has no prefetch intrinsic. The flow table's lookups of a frame read from a file miss the cache on
 * tables larger than it (tens of thousands of flows): hinting the lines a few frames ahead lets those misses
 * overlap instead of stalling one after another. A hint never faults and changes no result. */
static inline void procscope_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/* The same tables are read at random, one frame at a time: on 4 KiB pages nearly every such read also misses
 * the TLB (the translation cache), and a page walk in a virtual machine costs several memory reads more. Asks
 * for huge pages over [address, address + length) (transparent huge pages in "madvise" mode, Debian's default;
 * "always" gives them anyway). `address` must be page-aligned. A hint: a refusal changes nothing but speed. */
static inline void procscope_advise_huge_pages(void *address, size_t length) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    (void)madvise(address, length, MADV_HUGEPAGE);
#else
    (void)address;
    (void)length;
#endif
}

#endif
