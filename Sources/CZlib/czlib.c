#include "czlib.h"
#include <string.h>
#include <zlib.h>

int czlib_gunzip(const uint8_t *in, size_t in_length, uint8_t *out, size_t capacity, size_t *written) {
    *written = 0;
    if (in_length > 0x7fffffff) return CZLIB_TOO_LARGE;
    z_stream s;
    memset(&s, 0, sizeof s);
    /* 16 + MAX_WBITS: gzip framing only (no raw deflate, no zlib header). */
    if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) return CZLIB_NO_MEMORY;
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)in_length;
    int result = CZLIB_BAD_DATA;
    for (;;) {
        uint8_t probe;
        size_t room = capacity - *written;
        if (room > 0x7fffffff) room = 0x7fffffff;
        /* With the output full, one probe byte tells whether the body goes on past the limit. */
        s.next_out = room ? out + *written : &probe;
        s.avail_out = room ? (uInt)room : 1;
        uInt before = s.avail_out;
        int rc = inflate(&s, Z_NO_FLUSH);
        size_t produced = before - s.avail_out;
        if (!room && produced) { result = CZLIB_TOO_LARGE; break; }
        *written += produced;
        if (rc == Z_STREAM_END) {
            if (s.avail_in == 0) { result = CZLIB_OK; break; }
            if (inflateReset(&s) != Z_OK) break;  /* another gzip member follows */
            continue;
        }
        if (rc == Z_MEM_ERROR) { result = CZLIB_NO_MEMORY; break; }
        if (rc != Z_OK && rc != Z_BUF_ERROR) break;   /* corrupt */
        if (s.avail_in == 0 && produced == 0) break;  /* the input ended inside a member */
    }
    inflateEnd(&s);
    return result;
}

int czlib_compress(const uint8_t *in, size_t in_length, uint8_t *out, size_t capacity, size_t *written, int level) {
    uLongf length = (uLongf)capacity;
    int rc = compress2(out, &length, in, (uLong)in_length, level);
    if (rc == Z_BUF_ERROR) return CZLIB_TOO_LARGE;
    if (rc == Z_MEM_ERROR) return CZLIB_NO_MEMORY;
    if (rc != Z_OK) return CZLIB_BAD_DATA;
    *written = (size_t)length;
    return CZLIB_OK;
}

size_t czlib_compress_bound(size_t length) {
    return (size_t)compressBound((uLong)length);
}

int czlib_uncompress(const uint8_t *in, size_t in_length, uint8_t *out, size_t expected) {
    uLongf length = (uLongf)expected;
    int rc = uncompress(out, &length, in, (uLong)in_length);
    if (rc == Z_MEM_ERROR) return CZLIB_NO_MEMORY;
    if (rc != Z_OK || length != (uLongf)expected) return CZLIB_BAD_DATA;
    return CZLIB_OK;
}
