#ifndef SEAMLESS_CZLIB_SHIM_H
#define SEAMLESS_CZLIB_SHIM_H

#include <zlib.h>

// deflateInit and inflateInit are function-like macros, which Swift cannot import.
static inline int seamless_deflate_init(z_streamp stream, int level) {
    return deflateInit(stream, level);
}

static inline int seamless_inflate_init(z_streamp stream) {
    return inflateInit(stream);
}

#endif
