import Inventory

/// The data-plane view as table rows (schema v7), and back: offload features and duplex per
/// interface and the devlink instances are part of a snapshot's content; the traffic counters
/// belong to one observation (host and time) and never enter the content digest.
///
/// Feature lists are space-separated kernel names (they hold no blanks); a devlink instance's
/// versions are rows of their own, in the kernel's order.
enum HealthRows {
    /// The per-snapshot tables, in ``SnapshotRows`` order.
    static let tables: [(name: String, columns: [String])] = [
        ("health_sources", ["source"]),
        ("interface_features", ["interface", "duplex", "features_on", "features_off", "features_fixed"]),
        ("devlink_devices", ["seq", "bus", "device", "driver", "serial_number", "board_serial_number", "eswitch_mode",
                             "eswitch_inline_mode", "eswitch_encap_mode"]),
        ("devlink_versions", ["device_seq", "kind", "position", "name", "value"]),
    ]
    static let linkCounterColumns = [
        "seq", "interface", "address", "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors", "rx_dropped",
        "tx_dropped", "multicast", "rx_missed",
    ]
    static let vfCounterColumns = [
        "seq", "source", "interface", "vf_index", "address", "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "broadcast",
        "multicast", "rx_dropped", "tx_dropped",
    ]

    static let ddl = """
        -- What was read besides the base inventory: 'devlink' when the devlink family answered.
        CREATE TABLE health_sources (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, source)
        ) WITHOUT ROWID;
        -- Offload features (space-separated kernel names) and duplex of each interface that has either.
        CREATE TABLE interface_features (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            interface TEXT NOT NULL, duplex TEXT, features_on TEXT, features_off TEXT, features_fixed TEXT,
            PRIMARY KEY (snapshot_id, interface)
        ) WITHOUT ROWID;
        CREATE TABLE devlink_devices (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, bus TEXT NOT NULL, device TEXT NOT NULL, driver TEXT, serial_number TEXT,
            board_serial_number TEXT, eswitch_mode TEXT, eswitch_inline_mode TEXT, eswitch_encap_mode TEXT,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        -- kind: fixed, running or stored (`devlink dev info`).
        CREATE TABLE devlink_versions (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            device_seq INTEGER NOT NULL, kind TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, device_seq, kind, position)
        ) WITHOUT ROWID;
        -- Traffic counters belong to an observation, not to a snapshot's content.
        CREATE TABLE link_counters (
            host_id INTEGER NOT NULL, collected_at TEXT NOT NULL,
            seq INTEGER NOT NULL, interface TEXT NOT NULL, address TEXT,
            rx_packets INTEGER NOT NULL, tx_packets INTEGER NOT NULL, rx_bytes INTEGER NOT NULL, tx_bytes INTEGER NOT NULL,
            rx_errors INTEGER NOT NULL, tx_errors INTEGER NOT NULL, rx_dropped INTEGER NOT NULL, tx_dropped INTEGER NOT NULL,
            multicast INTEGER NOT NULL, rx_missed INTEGER NOT NULL,
            PRIMARY KEY (host_id, collected_at, seq),
            FOREIGN KEY (host_id, collected_at) REFERENCES observations(host_id, collected_at) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE TABLE vf_counters (
            host_id INTEGER NOT NULL, collected_at TEXT NOT NULL,
            seq INTEGER NOT NULL, source TEXT NOT NULL, interface TEXT NOT NULL, vf_index INTEGER NOT NULL, address TEXT,
            rx_packets INTEGER, tx_packets INTEGER, rx_bytes INTEGER, tx_bytes INTEGER, broadcast INTEGER, multicast INTEGER,
            rx_dropped INTEGER, tx_dropped INTEGER,
            PRIMARY KEY (host_id, collected_at, seq),
            FOREIGN KEY (host_id, collected_at) REFERENCES observations(host_id, collected_at) ON DELETE CASCADE
        ) WITHOUT ROWID;
        """

    /// The rows of each per-snapshot table (in ``tables`` order), without `snapshot_id`.
    static func rows(_ snapshot: HostSnapshot) -> [[[SQLValue]]] {
        var sources: [[SQLValue]] = []
        if snapshot.devlink != nil { sources.append([.text("devlink")]) }
        var features: [[SQLValue]] = []
        for i in snapshot.interfaces where i.duplex != nil || i.features != nil {
            let f = i.features
            features.append([.text(i.name), SQLValue(i.duplex), SQLValue(f.map { $0.on.joined(separator: " ") }),
                             SQLValue(f.map { $0.off.joined(separator: " ") }), SQLValue(f.map { $0.fixed.joined(separator: " ") })])
        }
        var devices: [[SQLValue]] = []
        var versions: [[SQLValue]] = []
        for (n, d) in (snapshot.devlink ?? []).enumerated() {
            devices.append([SQLValue(n), .text(d.bus), .text(d.device), SQLValue(d.driver), SQLValue(d.serialNumber),
                            SQLValue(d.boardSerialNumber), SQLValue(d.eswitchMode), SQLValue(d.eswitchInlineMode), SQLValue(d.eswitchEncapMode)])
            for (kind, list) in [("fixed", d.fixed), ("running", d.running), ("stored", d.stored)] {
                for (p, v) in list.enumerated() { versions.append([SQLValue(n), .text(kind), SQLValue(p), .text(v.name), .text(v.value)]) }
            }
        }
        return [sources, features, devices, versions]
    }

    /// The counter rows of the observation, without `host_id` and `collected_at`.
    static func counterRows(_ counters: CounterObservation?) -> (links: [[SQLValue]], vfs: [[SQLValue]]) {
        guard let counters else { return ([], []) }
        let links = counters.links.enumerated().map { n, c -> [SQLValue] in
            [SQLValue(n), .text(c.interface), SQLValue(c.address?.description), count(c.rxPackets), count(c.txPackets), count(c.rxBytes),
             count(c.txBytes), count(c.rxErrors), count(c.txErrors), count(c.rxDropped), count(c.txDropped), count(c.multicast),
             count(c.rxMissed)]
        }
        let vfs = counters.vfs.enumerated().map { n, c -> [SQLValue] in
            [SQLValue(n), .text(c.source), .text(c.interface), SQLValue(c.index), SQLValue(c.address?.description),
             count(c.rxPackets), count(c.txPackets), count(c.rxBytes), count(c.txBytes), count(c.broadcast), count(c.multicast),
             count(c.rxDropped), count(c.txDropped)]
        }
        return (links, vfs)
    }

    /// A 64-bit counter as SQL's signed integer: values past 2^63 (never seen: 292 years of
    /// 1 Gpps) are clamped rather than wrapped into negatives.
    private static func count(_ value: UInt64?) -> SQLValue {
        value.map { .int(Int64(clamping: $0)) } ?? .null
    }

    private static func counter(_ row: any SQLRows, _ column: Int) throws -> UInt64? {
        try row.int64(column).map { UInt64(clamping: $0) }
    }

    /// What one snapshot's health rows hold, gathered while the tables stream by.
    struct Gathered {
        var devlinkRead = false
        var features: [String: (duplex: String?, features: NetdevFeatures?)] = [:]
        var devices: [Int: DevlinkDevice] = [:]
        var versions: [(device: Int, kind: String, position: Int, version: DevlinkVersion)] = []

        func place(into snapshot: inout HostSnapshot) {
            for i in snapshot.interfaces.indices {
                if let f = features[snapshot.interfaces[i].name] {
                    snapshot.interfaces[i].duplex = f.duplex
                    snapshot.interfaces[i].features = f.features
                }
            }
            guard devlinkRead else { return }
            var devices = self.devices
            for v in versions.sorted(by: { ($0.device, $0.position) < ($1.device, $1.position) }) {
                switch v.kind {
                case "fixed": devices[v.device]?.fixed.append(v.version)
                case "running": devices[v.device]?.running.append(v.version)
                default: devices[v.device]?.stored.append(v.version)
                }
            }
            snapshot.devlink = devices.keys.sorted().compactMap { devices[$0] }
        }
    }

    /// Reads every health table of the wanted snapshots into `gathered`.
    static func read(_ each: (String, (any SQLRows) throws -> (Int64) throws -> Void) throws -> Void,
                     into gathered: inout [Int64: Gathered]) throws {
        var g = gathered
        defer { gathered = g }
        try each("health_sources") { row in
            let source = try row.columns.at("source")
            return { id in if try row.string(source) == "devlink" { g[id, default: Gathered()].devlinkRead = true } }
        }
        try each("interface_features") { row in
            let c = row.columns
            let (name, duplex, on, off, fixed) = (try c.at("interface"), try c.at("duplex"), try c.at("features_on"),
                                                  try c.at("features_off"), try c.at("features_fixed"))
            return { id in
                let features: NetdevFeatures? = row.text(on) == nil ? nil
                    : NetdevFeatures(on: try row.list(on), off: try row.list(off), fixed: try row.list(fixed))
                g[id, default: Gathered()].features[try row.string(name)] = (row.text(duplex), features)
            }
        }
        try each("devlink_devices") { row in
            let c = row.columns
            let (seq, bus, device, driver, serial, board, mode, inline, encap) = (
                try c.at("seq"), try c.at("bus"), try c.at("device"), try c.at("driver"), try c.at("serial_number"),
                try c.at("board_serial_number"), try c.at("eswitch_mode"), try c.at("eswitch_inline_mode"), try c.at("eswitch_encap_mode"))
            return { id in
                g[id, default: Gathered()].devices[try row.requiredInt(seq)] = DevlinkDevice(
                    bus: try row.string(bus), device: try row.string(device), driver: row.text(driver), serialNumber: row.text(serial),
                    boardSerialNumber: row.text(board), eswitchMode: row.text(mode), eswitchInlineMode: row.text(inline),
                    eswitchEncapMode: row.text(encap))
            }
        }
        try each("devlink_versions") { row in
            let c = row.columns
            let (device, kind, position, name, value) = (try c.at("device_seq"), try c.at("kind"), try c.at("position"),
                                                         try c.at("name"), try c.at("value"))
            return { id in
                g[id, default: Gathered()].versions.append((try row.requiredInt(device), try row.string(kind), try row.requiredInt(position),
                                                            DevlinkVersion(name: try row.string(name), value: try row.string(value))))
            }
        }
    }

    /// The counters of each wanted observation, by `hostname` and `collected_at` (store text).
    static func counters(_ db: any SQLConnection, observations: [(hostname: String, collectedAt: String)]) throws -> [String: CounterObservation] {
        guard !observations.isEmpty else { return [:] }
        let wanted = "[" + observations.map { "[\(FactSQL.jsonString($0.hostname)),\(FactSQL.jsonString($0.collectedAt))]" }.joined(separator: ",") + "]"
        let d = db.dialect
        var result: [String: CounterObservation] = [:]
        func key(_ hostname: String, _ at: String) -> String { hostname + "\u{0}" + at }
        let links = try db.query("""
            SELECT h.hostname, c.* FROM \(d.elements("?")) JOIN hosts h ON h.hostname = \(d.string(at: 0))
            JOIN link_counters c ON c.host_id = h.id AND c.collected_at = \(d.string(at: 1))
            """, [.text(wanted)], table: "link_counters")
        let l = links.columns
        let (lat, lseq, lname, laddr) = (try l.at("collected_at"), try l.at("seq"), try l.at("interface"), try l.at("address"))
        let lvalues = try ["rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors", "rx_dropped", "tx_dropped",
                           "multicast", "rx_missed"].map { try l.at($0) }
        var orderedLinks: [String: [(Int, LinkCounters)]] = [:]
        while try links.next() {
            let v = try lvalues.map { try counter(links, $0) ?? 0 }
            orderedLinks[key(try links.string(0), try links.string(lat)), default: []].append((try links.requiredInt(lseq), LinkCounters(
                interface: try links.string(lname), address: try links.address(laddr), rxPackets: v[0], txPackets: v[1], rxBytes: v[2],
                txBytes: v[3], rxErrors: v[4], txErrors: v[5], rxDropped: v[6], txDropped: v[7], multicast: v[8], rxMissed: v[9])))
        }
        for (k, list) in orderedLinks { result[k, default: CounterObservation()].links = list.sorted { $0.0 < $1.0 }.map(\.1) }
        let vfs = try db.query("""
            SELECT h.hostname, c.* FROM \(d.elements("?")) JOIN hosts h ON h.hostname = \(d.string(at: 0))
            JOIN vf_counters c ON c.host_id = h.id AND c.collected_at = \(d.string(at: 1))
            """, [.text(wanted)], table: "vf_counters")
        let v = vfs.columns
        let (vat, vseq, vsource, vname, vindex, vaddr) = (try v.at("collected_at"), try v.at("seq"), try v.at("source"), try v.at("interface"),
                                                          try v.at("vf_index"), try v.at("address"))
        let vvalues = try ["rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "broadcast", "multicast", "rx_dropped", "tx_dropped"].map { try v.at($0) }
        var ordered: [String: [(Int, VFCounters)]] = [:]
        while try vfs.next() {
            var c = VFCounters(source: try vfs.string(vsource), interface: try vfs.string(vname), index: try vfs.requiredInt(vindex),
                               address: try vfs.address(vaddr))
            let x = try vvalues.map { try counter(vfs, $0) }
            (c.rxPackets, c.txPackets, c.rxBytes, c.txBytes, c.broadcast, c.multicast, c.rxDropped, c.txDropped) = (x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7])
            ordered[key(try vfs.string(0), try vfs.string(vat)), default: []].append((try vfs.requiredInt(vseq), c))
        }
        for (k, list) in ordered { result[k, default: CounterObservation()].vfs = list.sorted { $0.0 < $1.0 }.map(\.1) }
        return result
    }

}
