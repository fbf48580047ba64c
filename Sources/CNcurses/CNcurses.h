// ncurses (wide) for the live view. Attribute macros built with NCURSES_BITS do not import into Swift:
// they are wrapped in static inline functions.
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncursesw/curses.h>

static inline int ps_curses_reverse(void) { return (int)A_REVERSE; }
static inline int ps_curses_bold(void) { return (int)A_BOLD; }
static inline int ps_curses_dim(void) { return (int)A_DIM; }
static inline int ps_curses_color_pair(int pair) { return (int)COLOR_PAIR(pair); }
