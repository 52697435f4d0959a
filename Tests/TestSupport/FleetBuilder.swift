import Foundation
import Inventory

/// Derives a fleet of distinct hosts from one real snapshot: host names, MACs, VLANs and firmware
/// varied per host, so that stores and fleet-wide rules have realistic data at scale.
public struct FleetBuilder {
    public let base: HostSnapshot
    /// Firmware versions handed out round-robin (most hosts get the first: a realistic baseline).
    public var firmwareVersions = ["2.1.0", "2.1.0", "2.1.0", "2.1.0", "2.2.0"]
    public var start = Date(timeIntervalSince1970: 1_795_000_000)

    public init(base: HostSnapshot) {
        self.base = base
    }

    /// Host `n` of the fleet (`host-00042`), distinct in hostname, MACs and VLANs.
    public func host(_ n: Int) -> HostSnapshot {
        var s = base
        s.host.hostname = String(format: "host-%05d", n)
        s.collectedAt = start.addingTimeInterval(Double(n))
        s.source = SnapshotSource(kind: .live)
        let firmware = firmwareVersions[n % firmwareVersions.count]
        func mac(_ index: Int) -> String {
            String(format: "02:%02x:%02x:%02x:%02x:%02x", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, (index >> 8) & 0xff, index & 0xff)
        }
        var macOf: [String: String] = [:]
        for i in s.interfaces.indices {
            if let old = s.interfaces[i].mac, old != "00:00:00:00:00:00" {
                let new = mac(0x800 + i)
                macOf[old] = new
                s.interfaces[i].mac = new
            }
            for v in s.interfaces[i].vfs.indices {
                s.interfaces[i].vfs[v].mac = mac(i << 8 | v)
                s.interfaces[i].vfs[v].vlan = s.interfaces[i].vfs[v].vlan == 0 ? 0 : 100 + (n + v) % 900
            }
            if s.interfaces[i].driverInfo?.driver == "igb" { s.interfaces[i].driverInfo?.firmwareVersion = firmware }
        }
        let byName = Dictionary(s.interfaces.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for p in s.physicalFunctions.indices {
            if s.physicalFunctions[p].driverInfo?.driver == "igb" { s.physicalFunctions[p].driverInfo?.firmwareVersion = firmware }
            let table = s.physicalFunctions[p].interfaces.compactMap { byName[$0] }.first { !$0.vfs.isEmpty }?.vfs ?? []
            for v in s.physicalFunctions[p].virtualFunctions.indices {
                let vf = s.physicalFunctions[p].virtualFunctions[v]
                if vf.config != nil { s.physicalFunctions[p].virtualFunctions[v].config = table.first { $0.index == vf.index } }
                if let effective = vf.effectiveMAC { s.physicalFunctions[p].virtualFunctions[v].effectiveMAC = macOf[effective] ?? effective }
            }
        }
        return s
    }

    /// The fleet as JSON lines (one compact snapshot per line), written to `path`.
    public func writeJSONLines(count: Int, to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let encoder = HostSnapshot.makeEncoder(pretty: false)
        var buffer = Data()
        for n in 0..<count {
            buffer += try encoder.encode(host(n))
            buffer.append(0x0a)
            if buffer.count > 8 << 20 {
                handle.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(buffer)
    }
}
