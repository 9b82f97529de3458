/* text.h - UTF-8 aware text measuring and fitting for terminal cells.
 *
 * Pure functions, no curses, no global state (they use the C library's
 * mbrtowc/wcwidth, so the result follows the current LC_CTYPE: in a UTF-8
 * locale multi-byte characters count by their display width; in the C
 * locale every byte is one cell). Invalid sequences count as one cell per
 * byte and are copied as '?' so that a terminal never sees broken bytes. */
#ifndef TUI_TEXT_H
#define TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Display width of s in terminal cells. */
int text_width(const char *s);

/* Copies the longest prefix of s that fits in `cells` cells into out (size
 * outlen, always terminated). If s was cut and `ellipsis` is true, the last
 * cell becomes "~" (ASCII) so that the cut is visible. If `pad` is true the
 * result is padded with spaces to exactly `cells` cells (right-aligned when
 * `right` is true). Returns the width of the result in cells. */
int text_fit(const char *s, int cells, bool ellipsis, bool pad, bool right,
             char *out, size_t outlen);

/* Case-insensitive (ASCII letters) substring test; the empty needle
 * matches everything. */
bool text_contains(const char *hay, const char *needle);

/* Number of bytes of the UTF-8 character starting at s (1 for invalid or
 * ASCII, 0 at the terminator). */
size_t text_charlen(const char *s);

#endif
