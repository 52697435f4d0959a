#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the VF-consumer checks read of a snapshot: every claim, pool, spec and declaration, and
/// the few facts of each PF and VF that selectors and specs match on.
///
/// Stored inside ``AuditFacts`` as JSON (a length-prefixed string of the binary form): only hosts
/// with consumer sources carry it, and its nested, optional-heavy shape gains nothing from the
/// hand-written encoding the fleet-wide fields use.
public struct ConsumerFacts: Codable, Sendable, Hashable {
    /// A PF or VF, with what pool selectors and Nova specs match on.
    public struct Function: Codable, Sendable, Hashable {
        public var address: PCIAddress
        /// The PF of a VF; nil for a PF.
        public var physicalFunction: PCIAddress?
        public var vfIndex: Int?
        public var vendorID: String?
        public var deviceID: String?
        public var driver: String?
        /// The PF's interface names (for a VF: its PF's).
        public var pfInterfaces: [String]
        /// The function's own netdevs.
        public var interfaces: [String]
        public var linkType: String?
        public var numaNode: Int?
        /// VF table settings (VFs only).
        public var mac: String?
        public var vlan: Int?
        public var trust: Bool?
        /// The PF's numvfs (PFs only).
        public var numVFs: Int?

        public init(address: PCIAddress, physicalFunction: PCIAddress?, vfIndex: Int?, vendorID: String?, deviceID: String?, driver: String?,
                    pfInterfaces: [String], interfaces: [String], linkType: String?, numaNode: Int?, mac: String?, vlan: Int?, trust: Bool?, numVFs: Int?) {
            self.address = address
            self.physicalFunction = physicalFunction
            self.vfIndex = vfIndex
            self.vendorID = vendorID
            self.deviceID = deviceID
            self.driver = driver
            self.pfInterfaces = pfInterfaces
            self.interfaces = interfaces
            self.linkType = linkType
            self.numaNode = numaNode
            self.mac = mac
            self.vlan = vlan
            self.trust = trust
            self.numVFs = numVFs
        }

        public var isVF: Bool { physicalFunction != nil }
    }

    public var readsConsumers: Bool
    public var sourceKinds: [String]
    public var claims: [VFConsumer]
    public var pools: [DevicePool]
    public var devices: [DeviceReference]
    public var novaSpecs: [NovaPCISpec]
    public var neutron: [NeutronDevice]
    public var declarations: [SriovDeclaration]
    public var hugepages: [HugepagePool]
    /// Every PF and VF, PFs first, in snapshot order.
    public var functions: [Function]
    /// Every PCI address of the host (a claim on one that is absent names a device that is gone).
    public var presentAddresses: [PCIAddress]
    /// Other PCI devices (not PFs or VFs) with their vendor, device and interfaces, for Nova specs.
    public var otherDevices: [Function]
}

extension ConsumerFacts {
    /// The consumer facts of `snapshot`; nil when it has no consumer inventory.
    public init?(snapshot: HostSnapshot) {
        guard let inventory = snapshot.consumers else { return nil }
        var byAddress: [PCIAddress: PCIDevice] = [:]
        for d in snapshot.pciDevices where byAddress[d.address] == nil { byAddress[d.address] = d }
        var linkType: [String: String] = [:]
        var tables: [String: [Int: VFConfig]] = [:]
        for i in snapshot.interfaces {
            if let t = i.linkType { linkType[i.name] = t }
            if !i.vfs.isEmpty { tables[i.name] = Dictionary(i.vfs.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a }) }
        }
        var functions: [Function] = []
        var vfFunctions: [Function] = []
        var covered = Set<PCIAddress>()
        for pf in snapshot.physicalFunctions {
            let d = byAddress[pf.address]
            covered.insert(pf.address)
            functions.append(Function(address: pf.address, physicalFunction: nil, vfIndex: nil, vendorID: d?.vendorID, deviceID: d?.deviceID,
                                      driver: d?.driver ?? pf.driverInfo?.driver, pfInterfaces: pf.interfaces, interfaces: pf.interfaces,
                                      linkType: pf.interfaces.lazy.compactMap { linkType[$0] }.first, numaNode: d?.numaNode,
                                      mac: nil, vlan: nil, trust: nil, numVFs: pf.numVFs))
            let table = pf.interfaces.lazy.compactMap { tables[$0] }.first
            for vf in pf.virtualFunctions {
                let v = byAddress[vf.address]
                covered.insert(vf.address)
                let config = vf.config ?? table?[vf.index]
                vfFunctions.append(Function(
                    address: vf.address, physicalFunction: pf.address, vfIndex: vf.index, vendorID: v?.vendorID, deviceID: v?.deviceID,
                    driver: vf.driver, pfInterfaces: pf.interfaces, interfaces: vf.interfaces,
                    linkType: (vf.interfaces + pf.interfaces).lazy.compactMap { linkType[$0] }.first, numaNode: v?.numaNode ?? d?.numaNode,
                    mac: config?.mac, vlan: config?.vlan, trust: config?.trust, numVFs: nil))
            }
        }
        let others = snapshot.pciDevices.filter { !covered.contains($0.address) }.map {
            Function(address: $0.address, physicalFunction: nil, vfIndex: nil, vendorID: $0.vendorID, deviceID: $0.deviceID, driver: $0.driver,
                     pfInterfaces: [], interfaces: $0.interfaces, linkType: nil, numaNode: $0.numaNode, mac: nil, vlan: nil, trust: nil, numVFs: nil)
        }
        self.init(readsConsumers: inventory.readsConsumers, sourceKinds: Array(Set(inventory.sources.map(\.kind.rawValue))).sorted(),
                  claims: ConsumerPlacement.claims(of: snapshot), pools: inventory.pools, devices: inventory.devices,
                  novaSpecs: inventory.novaSpecs, neutron: inventory.neutron, declarations: ConsumerPlacement.declarations(of: snapshot),
                  hugepages: inventory.hugepages, functions: functions + vfFunctions, presentAddresses: snapshot.pciDevices.map(\.address),
                  otherDevices: others)
    }

    /// The stored form (see the type's note).
    public func encodedJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    public init(json: String) throws(FactsDecodingError) {
        do { self = try JSONDecoder().decode(ConsumerFacts.self, from: Data(json.utf8)) } catch {
            throw FactsDecodingError(reason: "consumer facts: \(error)")
        }
    }
}
