#if canImport(Glibc)
import Glibc
#endif

/// Standard output and error without Foundation's FileHandle (which would pull in ICU).
enum Console {
    static func out(_ text: String) {
        write(all: text, to: 1)
    }

    static func error(_ text: String) {
        write(all: text, to: 2)
    }

    static func out(bytes: [UInt8]) {
        write(all: bytes[...], to: 1)
    }

    private static func write(all text: String, to fd: Int32) {
        write(all: Array(text.utf8)[...], to: fd)
    }

    private static func write(all bytes: ArraySlice<UInt8>, to fd: Int32) {
        var bytes = bytes
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(n)
        }
    }
}
