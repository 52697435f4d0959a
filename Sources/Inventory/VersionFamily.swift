/// A family of NIC drivers that write their firmware version the same way.
///
/// Why families: `ethtool -i` firmware strings are not semantic versions, and each vendor means
/// something else by them — an mlx5 major number names the device generation, an Intel string
/// carries an NVM version, an eetrack ID and an option-ROM version, a Broadcom bootcode string
/// names its parts with words. The family, chosen by the driver's name, decides which parts a
/// string has, which of them order it, and what must match before two versions can be ordered
/// at all (see ``VendorVersion/compare(_:component:)``). The README's version table documents each
/// family with a real example.
public enum VersionFamily: String, Sendable, Hashable, CaseIterable {
    /// mlx4/mlx5: `FW (PSID)`; the major number names the device family, so majors never order.
    case mellanox
    /// ice, i40e, iavf: `NVM 0xEETRACK COMBO`.
    case intelNVM = "intel-nvm"
    /// ixgbe, ixgbevf: an eetrack ID (`0x800006f1`), optionally an NVM version before it and the
    /// option-ROM (combo) version after it.
    case ixgbe
    /// igb, igc, e1000e: `MAJOR.MINOR-BUILD`, or `MAJOR.MINOR, 0xEETRACK[, COMBO]`.
    case igb
    /// bnxt_en: `FW/pkg PKG`; the package orders.
    case bnxt
    /// bnx2, bnx2x, tg3: named parts — `bc` bootcode, `phy`, `mbi`, `NCSI`, `FFV` family version.
    case broadcomBootcode = "broadcom-bootcode"
    /// qede, qed: `mfw MFW storm STORM`; the management firmware orders.
    case qlogic
    /// sfc: `VERSION rxN txN`; the rx/tx datapath variant is part of what runs, not of its order.
    case solarflare
    /// nfp: `NFD NSP APP-VERSION APP`: the application firmware, then NSP, then NFD order.
    case netronome
    /// cxgb4: `FW, TP MICROCODE`.
    case chelsio
    /// enic: Cisco's `MAJOR.MINOR(BUILDletter)`, e.g. `4.1(3a)`.
    case cisco
    /// be2net, ena, hinic, hns3: plain dotted numbers (hns3 older kernels: the same as one hex word).
    case dotted
    /// virtio_net, vmxnet3, hv_netvsc: no firmware of their own.
    case noFirmware = "no-firmware"
    /// The driver version of an in-tree driver: the kernel release (`6.1.0-56-amd64`).
    case kernel
    /// Any other driver: dotted numbers, Intel NVM, Broadcom package or eetrack forms, whichever
    /// the string has.
    case generic

    /// The family whose scheme reads the firmware version of `driver`.
    public static func firmware(driver: String?) -> VersionFamily {
        // Old mlx4 builds name the board after the driver: `mlx4_en (MT_0BD0110004)`.
        // ESXi's native drivers (second names) print their device's firmware as the Linux
        // driver of the same device does: `i40en` `8.15 0x80009621 1.2829.0`, `ixgben`
        // `3.30 0x800014a5, 20.5.15`, `igbn` `1.48.0:0x800006e7`.
        switch driver?.split(separator: " ").first.map(String.init) {
        case "mlx4_core", "mlx4_en", "mlx5_core", "nmlx4_core", "nmlx4_en", "nmlx5_core": .mellanox
        case "ice", "i40e", "iavf", "i40evf", "icen", "i40en": .intelNVM
        case "ixgbe", "ixgbevf", "ixgben": .ixgbe
        case "igb", "igbvf", "igc", "e1000e", "igbn": .igb
        case "bnxt_en", "bnxtnet": .bnxt
        case "bnx2", "bnx2x", "tg3": .broadcomBootcode
        case "qede", "qed", "qedentv": .qlogic
        case "sfc", "sfc_ef100": .solarflare
        case "nfp", "nfp_netvf": .netronome
        case "cxgb4", "cxgb4vf": .chelsio
        case "enic", "nenic": .cisco
        case "be2net", "ena", "hinic", "hns3": .dotted
        case "virtio_net", "vmxnet3", "hv_netvsc": .noFirmware
        default: .generic
        }
    }

    /// What a string of this family looks like, for the finding that says one did not parse.
    public var expectedFormat: String {
        switch self {
        case .mellanox: "MAJOR.MINOR.SUBMINOR with an optional (PSID), e.g. 22.36.1010 (MT_0000000359)"
        case .intelNVM: "NVM 0xEETRACK COMBO, e.g. 4.20 0x80017785 1.3346.0"
        case .ixgbe: "0xEETRACK with an optional NVM before and , COMBO after, e.g. 0x80000887, 1.2688.0"
        case .igb: "MAJOR.MINOR-BUILD or MAJOR.MINOR, 0xEETRACK, e.g. 3.25, 0x800005d0"
        case .bnxt: "FW/pkg PACKAGE, e.g. 232.0.219.16/pkg 232.1.196.16"
        case .broadcomBootcode: "named parts such as bc 7.10.4, 7.8.16 bc 6.2.26 phy aa0.406 or 5751-v3.44a"
        case .qlogic: "mfw VERSION storm VERSION, e.g. mfw 8.25.7.0 storm 8.20.0.0"
        case .solarflare: "VERSION rxN txN, e.g. 8.5.0.1002 rx1 tx1"
        case .netronome: "NFD NSP APP-VERSION APP, e.g. 0.0.3.5 0.20 nic-2.0.7 nic"
        case .chelsio: "FW, TP MICROCODE, e.g. 1.26.6.0, TP 0.1.23.2"
        case .cisco: "MAJOR.MINOR(BUILD), e.g. 4.1(3a)"
        case .dotted: "dotted numbers, e.g. 1.8.15.0"
        case .noFirmware: "no firmware version (the device has none)"
        case .kernel: "a kernel release, e.g. 6.1.0-56-amd64"
        case .generic: "dotted numbers, e.g. 2.1.0"
        }
    }
}

/// What a version string is read against: the reporting driver, its device and the host's kernel.
public struct VersionContext: Sendable, Hashable {
    public var driver: String?
    /// `vendor:device` of the PF, e.g. `8086:1572`: firmware of two devices is never ordered.
    public var device: String?
    public var kernelRelease: String?

    public init(driver: String? = nil, device: String? = nil, kernelRelease: String? = nil) {
        self.driver = driver
        self.device = device
        self.kernelRelease = kernelRelease
    }
}
