import Inventory

/// The cross-host checks' work, done where the facts are: GROUP BY queries over the narrow fact
/// tables of the audited snapshots, handing back only the rows that make findings (the uses of
/// a duplicated MAC, the VFs of a VLAN with several owners, the PFs of a firmware group).
///
/// The audited hosts come in as a ``FleetScope``: each host's place in the report, its snapshot,
/// the rule's scope domain it belongs to (an integer: hosts with equal domains are compared)
/// and, for `vlan-conflict`, its owner. A rule whose selector picks PFs passes the picked
/// (host, owner) pairs too.
public struct FleetScope: Sendable {
    public struct Member: Sendable {
        public var seq: Int
        public var snapshotID: Int64
        public var domain: Int
        public var owner: String?

        public init(seq: Int, snapshotID: Int64, domain: Int, owner: String? = nil) {
            self.seq = seq
            self.snapshotID = snapshotID
            self.domain = domain
            self.owner = owner
        }
    }

    public var members: [Member]
    /// (seq, owner code) of the PFs and netdev-only PFs the rule selects; nil: all of them.
    public var picked: [(seq: Int, owner: Int)]?

    public init(members: [Member], picked: [(seq: Int, owner: Int)]?) {
        self.members = members
        self.picked = picked
    }

    var membersJSON: String {
        var out = "["
        for (i, m) in members.enumerated() {
            if i > 0 { out += "," }
            out += "[\(m.seq),\(m.snapshotID),\(m.domain),\(m.owner.map(FactSQL.jsonString) ?? "null")]"
        }
        return out + "]"
    }

    var pickedJSON: String {
        "[" + (picked ?? []).map { "[\($0.seq),\($0.owner)]" }.joined(separator: ",") + "]"
    }
}

/// A use of a MAC that is used more than once within its domain.
public struct MACUseRow: Sendable {
    public var domain: Int
    public var seq: Int
    /// The 48-bit address, or the text of another kind of address.
    public var mac: String
    public var vlan: Int
    public var isVF: Bool
    public var address: PCIAddress?
    /// The interface, or a VF's PF interface.
    public var name: String?
    public var vfIndex: Int
}

/// A VF using a VLAN that more than one owner uses within its domain.
public struct VLANUseRow: Sendable {
    public var domain: Int
    public var seq: Int
    public var owner: String
    public var vlan: Int
    public var address: PCIAddress?
    public var pfInterface: String?
    public var vfIndex: Int
}

/// A PF with driver information, for `firmware-aligned`.
public struct VersionMemberRow: Sendable {
    public var domain: Int
    public var seq: Int
    public var owner: Int
    public var address: PCIAddress
    public var model: String
    public var modelName: String
    public var firmware: String?
    public var driverVersion: String?
}

/// A (domain, model) group's count of one firmware or driver version.
public struct VersionCountRow: Sendable, Hashable {
    public var domain: Int
    public var model: String
    public var value: String
    public var count: Int
}

extension InventoryStore {
    /// Every use of a MAC that is used more than once within a domain (VF admin and netdev MACs,
    /// a VF's netdev MAC only when it differs from its admin MAC; physical interfaces' MACs), in
    /// domain, address and host order.
    public func duplicateMACUses(_ scope: FleetScope, withVLAN: Bool) throws -> [MACUseRow] {
        try read { db in
            // 1. Candidates: MACs used more than once among the scope's snapshots, whatever the
            //    domain or VLAN, by a GROUP BY that streams `fact_macs` in MAC order (no sort).
            struct Key: Hashable {
                var domain: Int64
                var mac: Int64
                var text: String
                var vlan: Int64
            }
            let candidates = try db.all(FactSQL.scope(db.dialect) + """
                x AS (SELECT 1)
                SELECT mac FROM fact_macs WHERE snapshot_id IN (SELECT snapshot_id FROM scope) GROUP BY mac HAVING count(*) > 1
                """, [.text(scope.membersJSON), .text(scope.pickedJSON)], table: "fact_macs") { try $0.requiredInt64(0) }
            guard !candidates.isEmpty else { return [] }
            let numbers = candidates.filter { $0 >= 0 }.map(String.init).joined(separator: ",")
            let texts = candidates.contains { $0 < 0 } ? try db.all("""
                SELECT DISTINCT t FROM (SELECT admin_mac_text AS t FROM fact_vfs WHERE admin_mac_text IS NOT NULL
                    UNION SELECT netdev_mac_text FROM fact_vfs WHERE netdev_mac_text IS NOT NULL
                    UNION SELECT mac_text FROM fact_interface_macs WHERE mac_text IS NOT NULL) AS texts
                """, table: "fact_vfs") { try $0.string(0) }.filter { MACColumns.key($0).map(candidates.contains) ?? false }.map(FactSQL.jsonString).joined(separator: ",") : ""
            // 2. The uses of the candidates, grouped by domain, MAC and VLAN here: a group of
            //    more than one use is a duplicate, put in domain, MAC, VLAN and host order.
            let rows = try db.query(FactSQL.macUses(db.dialect, picked: scope.picked != nil, withVLAN: withVLAN, onlyListed: true) + """
                SELECT domain, seq, mac, mac_text, vlan, is_vf, address, name, vf_index, ord, sub FROM uses
                """, [.text(scope.membersJSON), .text(scope.pickedJSON), .text("[\(numbers)]"), .text("[\(texts)]")], table: "fact_vfs")
            var found: [(key: Key, seq: Int, ord: Int, sub: Int, row: MACUseRow)] = []
            var counts: [Key: Int] = [:]
            while try rows.next() {
                let number = try rows.int64(2)
                let key = Key(domain: try rows.int64(0) ?? 0, mac: number ?? -1, text: number == nil ? try rows.string(3) : "", vlan: try rows.int64(4) ?? 0)
                counts[key, default: 0] += 1
                let mac = number.map { MACColumns.text(UInt64(bitPattern: $0)) } ?? key.text
                let row = MACUseRow(domain: Int(key.domain), seq: try rows.requiredInt(1), mac: mac, vlan: Int(key.vlan), isVF: try rows.requiredBool(5),
                                    address: try rows.address(6), name: rows.text(7), vfIndex: try rows.requiredInt(8))
                found.append((key, row.seq, try rows.requiredInt(9), try rows.requiredInt(10), row))
            }
            found.removeAll { counts[$0.key, default: 0] < 2 }
            found.sort { a, b in
                if a.key != b.key { return (a.key.domain, a.key.mac, a.key.text, a.key.vlan) < (b.key.domain, b.key.mac, b.key.text, b.key.vlan) }
                return (a.seq, a.ord, a.sub) < (b.seq, b.ord, b.sub)
            }
            return found.map(\.row)
        }
    }

    /// Whether the scope has any MAC to compare at all (a rule that compared nothing does not pass).
    public func hasMACUses(_ scope: FleetScope) throws -> Bool {
        // Stops at the first MAC found (the `uses` of the duplicate query would be built whole).
        try read { db in
            try db.integer(FactSQL.scope(db.dialect) + """
                x AS (SELECT 1) SELECT EXISTS (
                    SELECT 1 FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(FactSQL.pickedJoin(scope.picked != nil, "v"))
                    WHERE v.admin_mac IS NOT NULL OR v.admin_mac_text IS NOT NULL OR v.netdev_mac IS NOT NULL OR v.netdev_mac_text IS NOT NULL
                ) OR EXISTS (SELECT 1 FROM scope s JOIN fact_interface_macs m ON m.snapshot_id = s.snapshot_id)
                """, [.text(scope.membersJSON), .text(scope.pickedJSON)]) == 1
        }
    }

    /// The VFs of every (domain, VLAN) that more than one owner uses, in domain, VLAN and host order.
    public func conflictingVLANUses(_ scope: FleetScope) throws -> [VLANUseRow] {
        try read { db in
            let rows = try db.query(FactSQL.vlanUses(db.dialect, picked: scope.picked != nil) + """
                SELECT u.domain, u.seq, u.who, u.vlan, u.address, u.pf_interface, u.vf_index FROM uses u
                JOIN (SELECT domain, vlan FROM uses GROUP BY domain, vlan HAVING count(DISTINCT who) > 1) c
                  ON c.domain = u.domain AND c.vlan = u.vlan
                ORDER BY u.domain, u.vlan, u.seq, u.position
                """, [.text(scope.membersJSON), .text(scope.pickedJSON)], table: "fact_vfs")
            var result: [VLANUseRow] = []
            while try rows.next() {
                result.append(VLANUseRow(domain: try rows.requiredInt(0), seq: try rows.requiredInt(1), owner: try rows.string(2),
                                         vlan: try rows.requiredInt(3), address: try rows.address(4), pfInterface: rows.text(5),
                                         vfIndex: try rows.requiredInt(6)))
            }
            return result
        }
    }

    /// Whether any selected VF uses a VLAN (other than 0).
    public func hasVLANUses(_ scope: FleetScope) throws -> Bool {
        try read { db in
            try db.integer(FactSQL.scope(db.dialect) + """
                x AS (SELECT 1) SELECT EXISTS (
                    SELECT 1 FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(FactSQL.pickedJoin(scope.picked != nil, "v"))
                    WHERE v.vlan IS NOT NULL AND v.vlan != 0)
                """, [.text(scope.membersJSON), .text(scope.pickedJSON)]) == 1
        }
    }

    /// The PFs with driver information of the scope, in host and PF order; `overrides` replaces
    /// the versions of some (seq, owner) PFs (a planned roll-out).
    public func versionMembers(_ scope: FleetScope, overrides: [VersionOverride] = []) throws -> [VersionMemberRow] {
        try read { db in
            let rows = try db.query(FactSQL.versionMembers(db.dialect, picked: scope.picked != nil) + """
                SELECT domain, seq, owner, address, model, model_name, firmware, driver_version FROM members ORDER BY seq, owner
                """, [.text(scope.membersJSON), .text(scope.pickedJSON), .text(VersionOverride.json(overrides))], table: "fact_pfs")
            var result: [VersionMemberRow] = []
            while try rows.next() {
                result.append(VersionMemberRow(domain: try rows.requiredInt(0), seq: try rows.requiredInt(1), owner: try rows.requiredInt(2),
                                               address: try rows.requiredAddress(3), model: try rows.string(4), modelName: try rows.string(5),
                                               firmware: rows.text(6), driverVersion: rows.text(7)))
            }
            return result
        }
    }

    /// How many PFs of each (domain, model) run each firmware (`driver: true`: driver) version;
    /// a PF that reports none counts as `(none)`.
    public func versionCounts(_ scope: FleetScope, driver: Bool, overrides: [VersionOverride] = []) throws -> [VersionCountRow] {
        let column = driver ? "driver_version" : "firmware"
        return try read { db in
            try db.all(FactSQL.versionMembers(db.dialect, picked: scope.picked != nil) + """
                SELECT domain, model, coalesce(\(column), '(none)') AS value, count(*) AS n FROM members
                GROUP BY domain, model, coalesce(\(column), '(none)')
                """, [.text(scope.membersJSON), .text(scope.pickedJSON), .text(VersionOverride.json(overrides))], table: "fact_pfs") {
                VersionCountRow(domain: try $0.requiredInt(0), model: try $0.string(1), value: try $0.string(2), count: try $0.requiredInt(3))
            }
        }
    }
}

/// New versions for one PF of one audited host (``InventoryStore/versionMembers(_:overrides:)``).
public struct VersionOverride: Sendable {
    public var seq: Int
    public var owner: Int
    public var firmware: String?
    public var driverVersion: String?

    public init(seq: Int, owner: Int, firmware: String?, driverVersion: String?) {
        self.seq = seq
        self.owner = owner
        self.firmware = firmware
        self.driverVersion = driverVersion
    }

    static func json(_ overrides: [VersionOverride]) -> String {
        "[" + overrides.map { o in
            "[\(o.seq),\(o.owner),\(o.firmware.map(FactSQL.jsonString) ?? "null"),\(o.driverVersion.map(FactSQL.jsonString) ?? "null")]"
        }.joined(separator: ",") + "]"
    }
}

/// The SQL of the fact queries. Lists of values come in as one JSON array parameter, read
/// through ``SQLDialect`` (`json_each` / `jsonb_array_elements`), so that a read-only connection
/// needs no temporary table.
enum FactSQL {
    static func idList(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `scope(seq, snapshot_id, domain, who)` from parameter 1, `picked(seq, owner)` from 2.
    static func scope(_ d: SQLDialect) -> String {
        """
        WITH scope AS (SELECT \(d.integer(at: 0)) AS seq, \(d.integer(at: 1)) AS snapshot_id,
                              \(d.integer(at: 2)) AS domain, \(d.string(at: 3)) AS who FROM \(d.elements("?1"))),
        picked AS (SELECT \(d.integer(at: 0)) AS seq, \(d.integer(at: 1)) AS owner FROM \(d.elements("?2"))),

        """
    }

    static func pickedJoin(_ picked: Bool, _ table: String) -> String {
        picked ? "JOIN picked p ON p.seq = s.seq AND p.owner = \(table).owner" : ""
    }

    /// `uses`: every comparable MAC of the scope, one row per use; with `onlyListed`, only the
    /// MACs listed in parameters 3 (integers) and 4 (texts).
    static func macUses(_ d: SQLDialect, picked: Bool, withVLAN: Bool, onlyListed: Bool) -> String {
        let vlan = withVLAN ? "coalesce(v.vlan, 0)" : "0"
        func listed(_ number: String, _ text: String) -> String {
            onlyListed ? "AND (\(number) IN \(d.integers("?3")) OR \(text) IN \(d.strings("?4")))" : ""
        }
        return scope(d) + """
            uses AS (
                SELECT s.domain, s.seq, v.position AS ord, 0 AS sub, v.admin_mac AS mac, v.admin_mac_text AS mac_text, \(vlan) AS vlan,
                       1 AS is_vf, v.address, v.pf_interface AS name, v.vf_index
                FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(pickedJoin(picked, "v"))
                WHERE (v.admin_mac IS NOT NULL OR v.admin_mac_text IS NOT NULL) \(listed("v.admin_mac", "v.admin_mac_text"))
                UNION ALL
                SELECT s.domain, s.seq, v.position, 1, v.netdev_mac, v.netdev_mac_text, \(vlan), 1, v.address, v.pf_interface, v.vf_index
                FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(pickedJoin(picked, "v"))
                WHERE (v.netdev_mac IS NOT NULL OR v.netdev_mac_text IS NOT NULL)
                  AND (coalesce(v.netdev_mac, -1) != coalesce(v.admin_mac, -1) OR coalesce(v.netdev_mac_text, '') != coalesce(v.admin_mac_text, ''))
                  \(listed("v.netdev_mac", "v.netdev_mac_text"))
                UNION ALL
                SELECT s.domain, s.seq, 1000000000 + m.position, 0, m.mac, m.mac_text, 0, 0, m.address, m.name, 0
                FROM scope s JOIN fact_interface_macs m ON m.snapshot_id = s.snapshot_id
                WHERE true \(listed("m.mac", "m.mac_text"))
            )

            """
    }

    /// `uses`: every selected VF with a VLAN, with its host's owner.
    static func vlanUses(_ d: SQLDialect, picked: Bool) -> String {
        scope(d) + """
            uses AS MATERIALIZED (
                SELECT s.domain, s.seq, s.who, v.position, v.vlan, v.address, v.pf_interface, v.vf_index
                FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(pickedJoin(picked, "v"))
                WHERE v.vlan IS NOT NULL AND v.vlan != 0
            )

            """
    }

    /// `members`: the selected PCI PFs with driver information, versions overridden by parameter 3.
    static func versionMembers(_ d: SQLDialect, picked: Bool) -> String {
        scope(d) + """
            planned AS (SELECT \(d.integer(at: 0)) AS seq, \(d.integer(at: 1)) AS owner,
                               \(d.string(at: 2)) AS firmware, \(d.string(at: 3)) AS driver_version FROM \(d.elements("?3"))),
            members AS (
                SELECT s.domain, s.seq, f.owner, f.address, f.model, f.model_name,
                       CASE WHEN o.seq IS NULL THEN f.firmware ELSE o.firmware END AS firmware,
                       CASE WHEN o.seq IS NULL THEN f.driver_version ELSE o.driver_version END AS driver_version
                FROM scope s JOIN fact_pfs f ON f.snapshot_id = s.snapshot_id \(pickedJoin(picked, "f"))
                LEFT JOIN planned o ON o.seq = s.seq AND o.owner = f.owner
                WHERE f.has_driver_info = 1 AND f.owner % 2 = 0
            )

            """
    }
}
