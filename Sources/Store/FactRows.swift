import GRDB
import Inventory

/// A snapshot's ``AuditFacts`` as the store keeps them: the whole value encoded in
/// `audit_facts`, and the fields the cross-host checks group on as narrow, typed rows
/// (`fact_pfs`, `fact_vfs`, `fact_interface_macs`) that SQL reads without touching the snapshot
/// tables. MACs are integers (48-bit Ethernet addresses); any other address (InfiniBand's 20
/// bytes) goes to the `*_text` column instead.
struct FactRows: Sendable {
    var encoded: [UInt8]
    var pfs: [[SQLValue]]
    var vfs: [[SQLValue]]
    var interfaceMACs: [[SQLValue]]

    static let pfColumns = [
        "owner", "address", "interfaces", "vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id", "device_name",
        "driver", "has_driver_info", "model", "model_name", "firmware", "firmware_key", "driver_version", "driver_key",
        "num_vfs", "total_vfs", "present_vfs",
    ]
    static let vfColumns = [
        "position", "owner", "vf_index", "address", "pf_interface", "admin_mac", "admin_mac_text", "netdev_mac", "netdev_mac_text",
        "vlan", "qos", "spoofchk", "trust", "driver", "has_netdev",
    ]
    static let interfaceMACColumns = ["position", "name", "address", "mac", "mac_text"]

    init(_ facts: AuditFacts) {
        encoded = facts.encoded()
        pfs = facts.pfs.enumerated().map { p, pf in
            let d = pf.device
            return [
                .int(Int64(FactOwner.code(.pf(p)))), .text(pf.address.description), .text(pf.interfaces.joined(separator: " ")),
                SQLValue(d?.vendorID), SQLValue(d?.deviceID), SQLValue(d?.subsystemVendorID), SQLValue(d?.subsystemDeviceID),
                SQLValue(d?.deviceName), SQLValue(pf.driver), SQLValue(pf.hasDriverInfo), .text(pf.model), .text(pf.modelName),
                SQLValue(pf.firmware), SQLValue(pf.firmware.flatMap { VendorVersion($0)?.sortKey }),
                SQLValue(pf.driverVersion), SQLValue(pf.driverVersion.flatMap { VendorVersion($0)?.sortKey }),
                SQLValue(pf.numVFs), SQLValue(pf.totalVFs), SQLValue(pf.presentVFs),
            ]
        } + facts.netdevPFs.enumerated().map { n, netdev in
            [.int(Int64(FactOwner.code(.netdev(n)))), .null, .text(netdev.name), .null, .null, .null, .null, .null,
             SQLValue(netdev.driver), .int(0), .null, .null, .null, .null, .null, .null, .null, .null, .int(0)]
        }
        vfs = facts.vfs.enumerated().map { position, vf in
            let admin = MACColumns(vf.config?.mac), netdev = MACColumns(vf.netdevMAC)
            let pfInterface: String? = switch vf.owner {
            case .pf(let p): facts.pfs[p].interfaces.first
            case .netdev(let n): facts.netdevPFs[n].name
            }
            return [
                .int(Int64(position)), .int(Int64(FactOwner.code(vf.owner))), .int(Int64(vf.index)), SQLValue(vf.address?.description),
                SQLValue(pfInterface), admin.integer, admin.text, netdev.integer, netdev.text,
                SQLValue(vf.config?.vlan), SQLValue(vf.config?.qos), SQLValue(vf.config?.spoofCheck), SQLValue(vf.config?.trust),
                SQLValue(vf.driver), SQLValue(vf.hasNetdev),
            ]
        }
        interfaceMACs = facts.interfaceMACs.enumerated().map { position, m in
            let mac = MACColumns(m.mac)
            return [.int(Int64(position)), .text(m.name), .text(m.address.description), mac.integer, mac.text]
        }
    }
}

/// A VF's owner as one integer column: a PF's position × 2, a netdev-only PF's × 2 + 1.
public enum FactOwner {
    public static func code(_ owner: AuditFacts.VF.Owner) -> Int {
        switch owner {
        case .pf(let p): p * 2
        case .netdev(let n): n * 2 + 1
        }
    }

    public static func owner(_ code: Int) -> AuditFacts.VF.Owner {
        code % 2 == 0 ? .pf(code / 2) : .netdev(code / 2)
    }
}

/// A MAC as the fact tables keep it: a usable (present, not all-zero) Ethernet address as an
/// integer, any other usable address as text, an unusable one as neither.
struct MACColumns {
    var integer: SQLValue = .null
    var text: SQLValue = .null

    init(_ mac: String?) {
        guard let mac, !AuditFacts.isZeroMAC(mac) else { return }
        if let value = Self.ethernet(mac) { integer = .int(Int64(value)) } else { text = .text(mac) }
    }

    static func ethernet(_ text: String) -> UInt64? { MACNumber.value(text) }

    static func text(_ value: UInt64) -> String { MACNumber.text(value) }
}

extension InventoryStore {
    /// Writes the facts of the snapshot `snapshotID` (inside the caller's transaction).
    func writeFacts(_ db: Database, _ facts: FactRows, snapshotID: Int64) throws {
        let id = SQLValue.int(snapshotID)
        try insertRows(db, table: "audit_facts", columns: ["snapshot_id", "version", "body"], prefix: [id],
                       rows: [[.int(Int64(AuditFacts.version)), .blob(facts.encoded)]])
        try insertRows(db, table: "fact_pfs", columns: ["snapshot_id"] + FactRows.pfColumns, prefix: [id], rows: facts.pfs)
        try insertRows(db, table: "fact_vfs", columns: ["snapshot_id"] + FactRows.vfColumns, prefix: [id], rows: facts.vfs)
        try insertRows(db, table: "fact_interface_macs", columns: ["snapshot_id"] + FactRows.interfaceMACColumns, prefix: [id],
                       rows: facts.interfaceMACs)
    }
}
