/// The operating system a snapshot describes: Linux (collected live or from a capture) or a
/// hypervisor whose own listings were imported.
///
/// Why it matters to the audit: a hypervisor's commands show some of what Linux's sysfs and
/// netlink show and not the rest. A check that needs a fact the platform does not show must say
/// it could not judge — a PASS built on a field nobody read is the wrong verdict an operator
/// trusts before a firmware roll-out. ``unexposed(_:)`` is the one list of those facts, which
/// the check engine consults once per rule, rather than each check guessing from absent values.
public enum HostPlatform: String, Codable, Sendable, CaseIterable {
    case linux
    case esxi

    /// How reports name the platform.
    public var displayName: String {
        switch self {
        case .linux: "Linux"
        case .esxi: "VMware ESXi"
        }
    }

    /// Why `fact` cannot be judged on this platform; nil when the platform's snapshots carry it.
    public func unexposed(_ fact: PlatformFact) -> String? {
        switch self {
        case .linux:
            return nil
        case .esxi:
            switch fact {
            case .iommuState:
                return "esxcli does not report whether VT-d/AMD-Vi is on (ESXi needs it for every VF it hands out)"
            case .iommuGroups:
                return "ESXi has no IOMMU groups to read: it assigns functions to VMs itself"
            case .vfSettings:
                return "a VF's MAC, VLAN, spoof check and trust are set on the VM's port group and its .vmx, which esxcli's VF listing does not show"
            case .vfDriver:
                return "ESXi hands a VF to a VM whole; its driver runs in the guest"
            case .totalVFs:
                return "esxcli does not show how many VFs a PF supports (only those max_vfs made)"
            case .trafficCounters:
                return "VF traffic counters are not imported from ESXi"
            case .offloadFeatures:
                return "offload features are not imported from ESXi"
            case .devlink:
                return "devlink is a Linux kernel interface"
            }
        }
    }
}

/// A fact some checks need and some platforms do not show.
public enum PlatformFact: String, Sendable, CaseIterable {
    /// Whether the IOMMU is on (`iommu-enabled`).
    case iommuState = "iommu-state"
    /// Which functions share an IOMMU group (`iommu-isolation`).
    case iommuGroups = "iommu-groups"
    /// Each VF's administrative MAC, VLAN, QoS, spoof check, trust and rates.
    case vfSettings = "vf-settings"
    /// The host driver a VF is bound to.
    case vfDriver = "vf-driver"
    /// How many VFs a PF supports (`sriov_totalvfs`).
    case totalVFs = "total-vfs"
    /// Per-VF and per-link traffic counters.
    case trafficCounters = "traffic-counters"
    /// Netdev offload features.
    case offloadFeatures = "offload-features"
    /// devlink: eswitch mode, pending firmware, port functions.
    case devlink
}
