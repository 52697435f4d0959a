import GRDB
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
            let rows = try StatementRows(db, table: "fact_vfs", sql: FactSQL.macUses(picked: scope.picked != nil, withVLAN: withVLAN) + """
                SELECT u.domain, u.seq, u.mac, u.mac_text, u.vlan, u.is_vf, u.address, u.name, u.vf_index FROM uses u
                JOIN (SELECT domain, coalesce(mac, -1) AS k, coalesce(mac_text, '') AS t, vlan FROM uses
                      GROUP BY domain, coalesce(mac, -1), coalesce(mac_text, ''), vlan HAVING count(*) > 1) d
                  ON d.domain = u.domain AND d.k = coalesce(u.mac, -1) AND d.t = coalesce(u.mac_text, '') AND d.vlan = u.vlan
                ORDER BY u.domain, coalesce(u.mac, -1), coalesce(u.mac_text, ''), u.vlan, u.seq, u.ord, u.sub
                """, arguments: [scope.membersJSON, scope.pickedJSON])
            var result: [MACUseRow] = []
            while try rows.next() {
                let mac = try rows.int64(2).map { MACColumns.text(UInt64(bitPattern: $0)) } ?? rows.string(3)
                result.append(MACUseRow(domain: try rows.requiredInt(0), seq: try rows.requiredInt(1), mac: mac, vlan: try rows.requiredInt(4),
                                        isVF: try rows.requiredBool(5), address: try rows.address(6), name: rows.text(7), vfIndex: try rows.requiredInt(8)))
            }
            return result
        }
    }

    /// Whether the scope has any MAC to compare at all (a rule that compared nothing does not pass).
    public func hasMACUses(_ scope: FleetScope) throws -> Bool {
        // Stops at the first MAC found (the `uses` of the duplicate query would be built whole).
        try read { db in
            try Bool.fetchOne(db, sql: FactSQL.scope + """
                x AS (SELECT 1) SELECT EXISTS (
                    SELECT 1 FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(FactSQL.pickedJoin(scope.picked != nil, "v"))
                    WHERE v.admin_mac IS NOT NULL OR v.admin_mac_text IS NOT NULL OR v.netdev_mac IS NOT NULL OR v.netdev_mac_text IS NOT NULL
                ) OR EXISTS (SELECT 1 FROM scope s JOIN fact_interface_macs m ON m.snapshot_id = s.snapshot_id)
                """, arguments: [scope.membersJSON, scope.pickedJSON]) ?? false
        }
    }

    /// The VFs of every (domain, VLAN) that more than one owner uses, in domain, VLAN and host order.
    public func conflictingVLANUses(_ scope: FleetScope) throws -> [VLANUseRow] {
        try read { db in
            let rows = try StatementRows(db, table: "fact_vfs", sql: FactSQL.vlanUses(picked: scope.picked != nil) + """
                SELECT u.domain, u.seq, u.who, u.vlan, u.address, u.pf_interface, u.vf_index FROM uses u
                JOIN (SELECT domain, vlan FROM uses GROUP BY domain, vlan HAVING count(DISTINCT who) > 1) c
                  ON c.domain = u.domain AND c.vlan = u.vlan
                ORDER BY u.domain, u.vlan, u.seq, u.position
                """, arguments: [scope.membersJSON, scope.pickedJSON])
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
            try Bool.fetchOne(db, sql: FactSQL.scope + """
                x AS (SELECT 1) SELECT EXISTS (
                    SELECT 1 FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(FactSQL.pickedJoin(scope.picked != nil, "v"))
                    WHERE v.vlan IS NOT NULL AND v.vlan != 0)
                """, arguments: [scope.membersJSON, scope.pickedJSON]) ?? false
        }
    }

    /// The PFs with driver information of the scope, in host and PF order; `overrides` replaces
    /// the versions of some (seq, owner) PFs (a planned roll-out).
    public func versionMembers(_ scope: FleetScope, overrides: [VersionOverride] = []) throws -> [VersionMemberRow] {
        try read { db in
            let rows = try StatementRows(db, table: "fact_pfs", sql: FactSQL.versionMembers(picked: scope.picked != nil) + """
                SELECT domain, seq, owner, address, model, model_name, firmware, driver_version FROM members ORDER BY seq, owner
                """, arguments: [scope.membersJSON, scope.pickedJSON, VersionOverride.json(overrides)])
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
            try Row.fetchAll(db, sql: FactSQL.versionMembers(picked: scope.picked != nil) + """
                SELECT domain, model, coalesce(\(column), '(none)') AS value, count(*) AS n FROM members
                GROUP BY domain, model, coalesce(\(column), '(none)')
                """, arguments: [scope.membersJSON, scope.pickedJSON, VersionOverride.json(overrides)]).map {
                VersionCountRow(domain: $0["domain"], model: $0["model"], value: $0["value"], count: $0["n"])
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

/// The SQL of the fact queries, and every difference between SQL dialects they depend on: lists
/// of values come in as one JSON array parameter (SQLite's `json_each`), so that a read-only
/// connection needs no temporary table.
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
    static let scope = """
        WITH scope AS (SELECT json_extract(value, '$[0]') AS seq, json_extract(value, '$[1]') AS snapshot_id,
                              json_extract(value, '$[2]') AS domain, json_extract(value, '$[3]') AS who FROM json_each(?1)),
        picked AS (SELECT json_extract(value, '$[0]') AS seq, json_extract(value, '$[1]') AS owner FROM json_each(?2)),

        """

    static func pickedJoin(_ picked: Bool, _ table: String) -> String {
        picked ? "JOIN picked p ON p.seq = s.seq AND p.owner = \(table).owner" : ""
    }

    /// `uses`: every comparable MAC of the scope, one row per use.
    static func macUses(picked: Bool, withVLAN: Bool) -> String {
        let vlan = withVLAN ? "coalesce(v.vlan, 0)" : "0"
        return scope + """
            uses AS MATERIALIZED (
                SELECT s.domain, s.seq, v.position AS ord, 0 AS sub, v.admin_mac AS mac, v.admin_mac_text AS mac_text, \(vlan) AS vlan,
                       1 AS is_vf, v.address, v.pf_interface AS name, v.vf_index
                FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(pickedJoin(picked, "v"))
                WHERE v.admin_mac IS NOT NULL OR v.admin_mac_text IS NOT NULL
                UNION ALL
                SELECT s.domain, s.seq, v.position, 1, v.netdev_mac, v.netdev_mac_text, \(vlan), 1, v.address, v.pf_interface, v.vf_index
                FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(pickedJoin(picked, "v"))
                WHERE (v.netdev_mac IS NOT NULL OR v.netdev_mac_text IS NOT NULL)
                  AND (coalesce(v.netdev_mac, -1) != coalesce(v.admin_mac, -1) OR coalesce(v.netdev_mac_text, '') != coalesce(v.admin_mac_text, ''))
                UNION ALL
                SELECT s.domain, s.seq, 1000000000 + m.position, 0, m.mac, m.mac_text, 0, 0, m.address, m.name, 0
                FROM scope s JOIN fact_interface_macs m ON m.snapshot_id = s.snapshot_id
            )

            """
    }

    /// `uses`: every selected VF with a VLAN, with its host's owner.
    static func vlanUses(picked: Bool) -> String {
        scope + """
            uses AS MATERIALIZED (
                SELECT s.domain, s.seq, s.who, v.position, v.vlan, v.address, v.pf_interface, v.vf_index
                FROM scope s JOIN fact_vfs v ON v.snapshot_id = s.snapshot_id \(pickedJoin(picked, "v"))
                WHERE v.vlan IS NOT NULL AND v.vlan != 0
            )

            """
    }

    /// `members`: the selected PCI PFs with driver information, versions overridden by parameter 3.
    static func versionMembers(picked: Bool) -> String {
        scope + """
            planned AS (SELECT json_extract(value, '$[0]') AS seq, json_extract(value, '$[1]') AS owner,
                               json_extract(value, '$[2]') AS firmware, json_extract(value, '$[3]') AS driver_version FROM json_each(?3)),
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
