/// Who uses the host's VFs and what the orchestrators and network tools believe about them: the
/// host-level part of the consumer view. Claims on a VF and a PF's declared settings are placed
/// on the VF and PF themselves (``VirtualFunction/consumers``, ``PhysicalFunction/declared``);
/// what names nothing present on the host stays here, where the checks find it.
///
/// Absent from a snapshot when the host had none of the sources (no libvirt, kubelet, Nova,
/// Neutron, os-net-config or nmstate files and no huge pages): "nothing read" is not "no consumer".
public struct ConsumerInventory: Codable, Sendable, Hashable {
    /// Every file read, with what it was read as.
    public var sources: [ConsumerSource]
    /// Claims on PCI functions that are not VFs of this host (a PF given whole, or a device that
    /// does not exist: a stale checkpoint entry, a guest defined for a VF that is gone).
    public var otherClaims: [VFConsumer]
    public var pools: [DevicePool]
    public var devices: [DeviceReference]
    public var novaSpecs: [NovaPCISpec]
    public var neutron: [NeutronDevice]
    /// Declarations for interfaces that are not PFs of this host.
    public var otherDeclarations: [SriovDeclaration]
    public var hugepages: [HugepagePool]

    public init(sources: [ConsumerSource] = [], otherClaims: [VFConsumer] = [], pools: [DevicePool] = [],
                devices: [DeviceReference] = [], novaSpecs: [NovaPCISpec] = [], neutron: [NeutronDevice] = [],
                otherDeclarations: [SriovDeclaration] = [], hugepages: [HugepagePool] = []) {
        self.sources = sources
        self.otherClaims = otherClaims
        self.pools = pools
        self.devices = devices
        self.novaSpecs = novaSpecs
        self.neutron = neutron
        self.otherDeclarations = otherDeclarations
        self.hugepages = hugepages
    }

    public var isEmpty: Bool {
        sources.isEmpty && otherClaims.isEmpty && pools.isEmpty && devices.isEmpty && novaSpecs.isEmpty && neutron.isEmpty
            && otherDeclarations.isEmpty && hugepages.isEmpty
    }

    /// Whether any source that names consumers was read: without one, a VF with no consumer
    /// is "unknown", not "idle".
    public var readsConsumers: Bool {
        sources.contains { [.libvirtDomain, .libvirtStatus, .kubeletCheckpoint, .esxiVFList, .xenDomainConfig].contains($0.kind) }
    }
}

/// Puts claims and declarations where they belong: on the VF or PF they name, or in the host's
/// ``ConsumerInventory`` when nothing on the host matches.
///
/// The one placement rule, used by the collector and by the store when it rebuilds a snapshot,
/// so the two always agree.
public enum ConsumerPlacement {
    /// Places `claims` and `declarations` into `snapshot` (whose VFs and PFs carry none yet).
    public static func place(claims: [VFConsumer], declarations: [SriovDeclaration], inventory: ConsumerInventory?,
                             into snapshot: inout HostSnapshot) {
        guard var inventory else {
            snapshot.consumers = nil
            return
        }
        var vfPosition: [PCIAddress: (Int, Int)] = [:]
        var pfByInterface: [String: Int] = [:]
        for (p, pf) in snapshot.physicalFunctions.enumerated() {
            for (v, vf) in pf.virtualFunctions.enumerated() { vfPosition[vf.address] = (p, v) }
            for name in pf.interfaces where pfByInterface[name] == nil { pfByInterface[name] = p }
        }
        inventory.otherClaims = []
        for claim in claims.sorted(by: VFConsumer.canonicalOrder) {
            if let (p, v) = vfPosition[claim.address] {
                snapshot.physicalFunctions[p].virtualFunctions[v].consumers.append(claim)
            } else {
                inventory.otherClaims.append(claim)
            }
        }
        inventory.otherDeclarations = []
        for declaration in declarations.sorted(by: { ($0.interface, $0.source) < ($1.interface, $1.source) }) {
            if let p = pfByInterface[declaration.interface], snapshot.physicalFunctions[p].declared == nil {
                snapshot.physicalFunctions[p].declared = declaration
            } else {
                inventory.otherDeclarations.append(declaration)
            }
        }
        snapshot.consumers = inventory
    }

    /// Every claim of the snapshot, placed or not, in canonical order.
    public static func claims(of snapshot: HostSnapshot) -> [VFConsumer] {
        (snapshot.virtualFunctions.flatMap(\.consumers) + (snapshot.consumers?.otherClaims ?? [])).sorted(by: VFConsumer.canonicalOrder)
    }

    /// Every declaration of the snapshot, placed or not.
    public static func declarations(of snapshot: HostSnapshot) -> [SriovDeclaration] {
        (snapshot.physicalFunctions.compactMap(\.declared) + (snapshot.consumers?.otherDeclarations ?? []))
            .sorted { ($0.interface, $0.source) < ($1.interface, $1.source) }
    }
}
