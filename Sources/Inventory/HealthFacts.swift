#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the data-plane checks (`firmware-pending`, `eswitch-mode`, `vf-rate`, `offload-aligned`'s
/// `require`/`forbid`) read of a snapshot: devlink's eswitch modes and pending versions, each PF
/// interface's link and features, each VF's rates.
///
/// Kept with the other facts as one JSON value (like ``ConsumerFacts``): derived once per
/// distinct content, read by every audit of it.
public struct HealthFacts: Codable, Sendable, Hashable {
    /// A devlink instance, as the checks see it.
    public struct Device: Codable, Sendable, Hashable {
        public var handle: String
        public var address: PCIAddress?
        public var eswitchMode: String?
        /// Whether the driver reports stored versions at all.
        public var reportsStored: Bool
        public var pending: [Pending]
    }

    /// A component whose stored version differs from the running one.
    public struct Pending: Codable, Sendable, Hashable {
        public var name: String
        public var running: String
        public var stored: String
    }

    /// A PF's interface: its link and its offload features.
    public struct Link: Codable, Sendable, Hashable {
        public var name: String
        /// The PF it belongs to (nil for a netdev-only PF such as netdevsim).
        public var pf: PCIAddress?
        public var speedMbps: Int?
        public var features: NetdevFeatures?
    }

    /// A VF's rate settings, from its PF's VF table: only VFs with a rate set are kept (a VF
    /// without one is in the audit facts' VF list with rate 0).
    public struct Rate: Codable, Sendable, Hashable {
        public var pf: PCIAddress?
        public var interface: String
        public var index: Int
        public var address: PCIAddress?
        public var minTxRate: Int?
        public var maxTxRate: Int?
        public var driver: String?
    }

    /// False when devlink was not read: nothing can be said of eswitch modes or pending firmware.
    public var devlinkRead: Bool
    public var devices: [Device]
    /// PF interfaces (PCI PFs' and netdev-only PFs'), in the snapshot's order.
    public var links: [Link]
    public var rates: [Rate]

    public init(snapshot: HostSnapshot) {
        devlinkRead = snapshot.devlink != nil
        devices = (snapshot.devlink ?? []).map { d in
            Device(handle: d.handle, address: d.pciAddress, eswitchMode: d.eswitchMode, reportsStored: !d.stored.isEmpty,
                   pending: d.pendingVersions.map { Pending(name: $0.name, running: $0.running, stored: $0.stored) })
        }
        var links: [Link] = []
        var rates: [Rate] = []
        var owner: [String: PCIAddress] = [:]
        for pf in snapshot.physicalFunctions { for name in pf.interfaces { owner[name] = pf.address } }
        let vfByPF = Dictionary(snapshot.physicalFunctions.map { pf in (pf.address, Dictionary(pf.virtualFunctions.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })) },
                                uniquingKeysWith: { a, _ in a })
        for i in snapshot.interfaces where owner[i.name] != nil || !i.vfs.isEmpty || i.numVFs != nil {
            let pf = owner[i.name]
            links.append(Link(name: i.name, pf: pf, speedMbps: i.speedMbps, features: i.features))
            for c in i.vfs where (c.minTxRate ?? 0) > 0 || (c.maxTxRate ?? 0) > 0 || (c.txRate ?? 0) > 0 {
                let vf = pf.flatMap { vfByPF[$0]?[c.index] }
                rates.append(Rate(pf: pf, interface: i.name, index: c.index, address: vf?.address, minTxRate: c.minTxRate,
                                  maxTxRate: (c.maxTxRate ?? 0) > 0 ? c.maxTxRate : c.txRate, driver: i.driverInfo?.driver))
            }
        }
        self.links = links
        self.rates = rates
    }

    /// The devlink instance of a PCI function.
    public func device(_ address: PCIAddress) -> Device? {
        devices.first { $0.address == address }
    }

    /// The stored form (see the type's note).
    public func encodedJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    public init(json: String) throws(FactsDecodingError) {
        do { self = try JSONDecoder().decode(HealthFacts.self, from: Data(json.utf8)) } catch {
            throw FactsDecodingError(reason: "health facts: \(error)")
        }
    }
}
