#if canImport(Glibc)
import Glibc
#endif
import CKernel
import Inventory

/// ETHTOOL_GDRVINFO through SIOCETHTOOL: what `ethtool -i` prints, read natively.
struct EthtoolIoctl {
    enum Outcome {
        case info(DriverInfo)
        case unsupported
        case failed(Int32)
    }

    let fd: Int32

    init?() {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    func close() {
        _ = Glibc.close(fd)
    }

    func driverInfo(_ interface: String) -> Outcome {
        var info = ethtool_drvinfo()
        let rc = ckernel_ethtool_drvinfo(fd, interface, &info)
        if rc == EOPNOTSUPP || rc == ENOTSUP { return .unsupported }
        guard rc == 0 else { return .failed(rc) }
        return .info(DriverInfo(
            driver: fixedCString(info.driver), version: fixedCString(info.version),
            firmwareVersion: fixedCString(info.fw_version), expansionROMVersion: fixedCString(info.erom_version),
            busInfo: fixedCString(info.bus_info)
        ))
    }
}
