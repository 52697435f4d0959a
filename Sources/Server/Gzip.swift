import CZlib

/// `Content-Encoding: gzip` request bodies, inflated with a cap on the inflated size: a small
/// body must not become gigabytes in memory (a "zip bomb").
enum Gzip {
    enum Failure: Error, Equatable {
        /// Larger than the limit once inflated.
        case tooLarge
        /// Not gzip, corrupt, or cut short.
        case badData
    }

    static func inflate(_ compressed: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: limit)
        var written = 0
        let result = compressed.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                czlib_gunzip(input.baseAddress, input.count, output.baseAddress, output.count, &written)
            }
        }
        switch Int(result) {
        case Int(CZLIB_OK.rawValue):
            out.removeSubrange(written...)
            return out
        case Int(CZLIB_TOO_LARGE.rawValue): throw .tooLarge
        default: throw .badData
        }
    }
}
