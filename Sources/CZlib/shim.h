#ifndef SEAMLESS_CZLIB_SHIM_H
#define SEAMLESS_CZLIB_SHIM_H

#include <zlib.h>

// deflateInit2 and inflateInit2 are function-like macros, which Swift cannot import.
// deflateInit2: a window and hash table sized to the input (see Zlib.compress).
static inline int seamless_deflate_init2(z_streamp stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

// inflateInit2 with window bits 0: the window the stream's header names (at most 32 KiB), so a small
// message's inflater does not allocate zlib's full 32 KiB window.
static inline int seamless_inflate_init(z_streamp stream) {
    return inflateInit2(stream, 0);
}

#endif
