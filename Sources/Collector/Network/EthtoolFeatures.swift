#if canImport(Glibc)
import Glibc
#endif
import CKernel
import Inventory

/// ETHTOOL_GSSET_INFO / ETHTOOL_GSTRINGS / ETHTOOL_GFEATURES through SIOCETHTOOL: the feature
/// names the kernel knows and each one's state, read natively (what `ethtool -k` prints).
extension EthtoolIoctl {
    enum FeaturesOutcome {
        case features(NetdevFeatures)
        case unsupported
        case failed(Int32)
    }

    func features(_ interface: String) -> FeaturesOutcome {
        var count: UInt32 = 0
        var rc = ckernel_ethtool_feature_count(fd, interface, &count)
        if rc == EOPNOTSUPP || rc == ENOTSUP { return .unsupported }
        guard rc == 0 else { return .failed(rc) }
        guard count > 0, count < 4096 else { return .unsupported }
        let length = Int(ETH_GSTRING_LEN)
        var names = [CChar](repeating: 0, count: Int(count) * length)
        var blocks = [ethtool_get_features_block](repeating: ethtool_get_features_block(), count: (Int(count) + 31) / 32)
        rc = names.withUnsafeMutableBufferPointer { n in
            blocks.withUnsafeMutableBufferPointer { b in
                ckernel_ethtool_features(fd, interface, count, n.baseAddress, b.baseAddress)
            }
        }
        if rc == EOPNOTSUPP || rc == ENOTSUP { return .unsupported }
        guard rc == 0 else { return .failed(rc) }
        var on: [String] = [], off: [String] = [], fixed: [String] = []
        for i in 0..<Int(count) {
            let name = names[(i * length)..<((i + 1) * length)].withUnsafeBufferPointer { buffer -> String in
                let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                return String(decoding: bytes, as: UTF8.self)
            }
            guard !name.isEmpty else { continue }  // a slot the kernel left unnamed
            let block = blocks[i / 32]
            let bit = UInt32(1) << UInt32(i % 32)
            if block.active & bit != 0 { on.append(name) } else { off.append(name) }
            // ethtool's rule for "[fixed]": not changeable by the driver, or never to be changed.
            if block.available & bit == 0 || block.never_changed & bit != 0 { fixed.append(name) }
        }
        return .features(NetdevFeatures(on: on, off: off, fixed: fixed))
    }
}
