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
    /// `fact_macs`: (mac key, use position) of every comparable MAC use.
    var macs: [[SQLValue]]

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
            let context = VersionContext(driver: pf.driver, device: d?.vendorDevice, kernelRelease: facts.kernelRelease)
            return [
                .int(Int64(FactOwner.code(.pf(p)))), .text(pf.address.description), .text(pf.interfaces.joined(separator: " ")),
                SQLValue(d?.vendorID), SQLValue(d?.deviceID), SQLValue(d?.subsystemVendorID), SQLValue(d?.subsystemDeviceID),
                SQLValue(d?.deviceName), SQLValue(pf.driver), SQLValue(pf.hasDriverInfo), .text(pf.model), .text(pf.modelName),
                SQLValue(pf.firmware), SQLValue(pf.firmware.flatMap { VendorVersion.firmware($0, context)?.sortKey }),
                SQLValue(pf.driverVersion), SQLValue(pf.driverVersion.flatMap { VendorVersion.driver($0, context)?.sortKey }),
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
        // The same uses the duplicate query lists: a VF's admin MAC, its netdev MAC where that
        // differs, a physical interface's MAC (a MAC used twice in a host is two rows).
        var keys: [Int64] = []
        for vf in facts.vfs {
            let admin = MACColumns.key(vf.config?.mac)
            if let admin { keys.append(admin) }
            if let netdev = MACColumns.key(vf.netdevMAC), netdev != admin { keys.append(netdev) }
        }
        for m in facts.interfaceMACs { if let key = MACColumns.key(m.mac) { keys.append(key) } }
        macs = keys.enumerated().map { n, key in [.int(key), .int(Int64(n))] }
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

    /// A usable MAC's key in `fact_macs`: an Ethernet MAC's value, or for another address a
    /// negative 63-bit FNV-1a hash of its text (a collision only makes a candidate the
    /// second query then rules out).
    static func key(_ mac: String?) -> Int64? {
        guard let mac, !AuditFacts.isZeroMAC(mac) else { return nil }
        if let value = MACNumber.value(mac) { return Int64(value) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in mac.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return -Int64(hash & 0x7fff_ffff_ffff_ffff) - 1
    }

    static func text(_ value: UInt64) -> String { MACNumber.text(value) }
}

extension InventoryStore {
    /// Writes the facts of the snapshot `snapshotID` (inside the caller's transaction).
    func writeFacts(_ db: any SQLConnection, _ facts: FactRows, snapshotID: Int64) throws {
        for child in Self.factChildren(facts) where !child.rows.isEmpty {
            try db.insertRows(table: child.table, columns: ["snapshot_id"] + child.columns, prefix: [.int(snapshotID)], rows: child.rows)
        }
    }

    /// The fact tables' rows of one snapshot, without its id.
    static func factChildren(_ facts: FactRows) -> [SQLChildRows] {
        [
            SQLChildRows(table: "audit_facts", columns: ["version", "body"], rows: [[.int(Int64(AuditFacts.version)), .blob(facts.encoded)]]),
            SQLChildRows(table: "fact_pfs", columns: FactRows.pfColumns, rows: facts.pfs),
            SQLChildRows(table: "fact_vfs", columns: FactRows.vfColumns, rows: facts.vfs),
            SQLChildRows(table: "fact_interface_macs", columns: FactRows.interfaceMACColumns, rows: facts.interfaceMACs),
            SQLChildRows(table: "fact_macs", columns: ["mac", "position"], rows: facts.macs),
        ]
    }
}
