#ifndef PROCSCOPE_CACHE_HINTS_H
#define PROCSCOPE_CACHE_HINTS_H

/* Swift has no prefetch intrinsic. The flow table's lookups of a frame read from a file miss the cache on
 * tables larger than it (tens of thousands of flows): hinting the lines a few frames ahead lets those misses
 * overlap instead of stalling one after another. A hint never faults and changes no result. */
static inline void procscope_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
