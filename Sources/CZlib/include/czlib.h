#ifndef CZLIB_H
#define CZLIB_H
#include <stddef.h>
#include <stdint.h>

/// Results of czlib_gunzip.
enum czlib_result {
    CZLIB_OK = 0,
    /// The output would exceed `capacity`: the body is larger than the limit once inflated.
    CZLIB_TOO_LARGE = 1,
    /// Not gzip, corrupt, or cut short.
    CZLIB_BAD_DATA = 2,
    CZLIB_NO_MEMORY = 3,
};

/// Inflates a gzip stream (RFC 1952, several members allowed) into `out`, writing at most
/// `capacity` bytes; `*written` receives the length. zlib's inflateInit2 is a macro and its
/// stream struct holds function pointers, so the loop lives here rather than in Swift.
int czlib_gunzip(const uint8_t *in, size_t in_length, uint8_t *out, size_t capacity, size_t *written);

/// Compresses `in` as one zlib stream (RFC 1950) at `level` (1 fast .. 9 small) into `out`;
/// CZLIB_TOO_LARGE when `capacity` is not enough (compressBound(in_length) always is).
int czlib_compress(const uint8_t *in, size_t in_length, uint8_t *out, size_t capacity, size_t *written, int level);

/// The room a compressed copy of `length` bytes may need at most.
size_t czlib_compress_bound(size_t length);

/// Inflates one zlib stream into exactly `expected` bytes at `out`; CZLIB_BAD_DATA when the
/// stream is corrupt or inflates to another length.
int czlib_uncompress(const uint8_t *in, size_t in_length, uint8_t *out, size_t expected);

#endif
