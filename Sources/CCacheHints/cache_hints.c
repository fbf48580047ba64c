/* Everything is in include/cache_hints.h (static inline); SwiftPM needs one source file per C target. */
#include "cache_hints.h"
