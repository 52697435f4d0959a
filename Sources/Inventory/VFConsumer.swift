/// Something outside the kernel that claims a PCI function: a libvirt guest (an OpenStack
/// instance is one, with Nova's metadata) or a Kubernetes pod through the SR-IOV device plugin.
///
/// Why a record per claim and not a flag on the VF: most SR-IOV incidents are two owners of one
/// VF, or an owner of a VF that no longer exists. Both need every claim kept as written, with the
/// file it came from, so that a finding can name the guest, the pod and the file to fix.
public struct VFConsumer: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A `<hostdev>` or `<interface type='hostdev'>` of a libvirt domain.
        case libvirtDomain = "libvirt-domain"
        /// A `PodDeviceEntries` entry of the kubelet's device-manager checkpoint.
        case kubernetesPod = "kubernetes-pod"
        /// A VM on VMware ESXi that holds the VF (`esxcli network sriovnic vf list`'s owner world).
        case esxiVM = "esxi-vm"
        /// A Xen domain whose `xl` configuration lists the function in `pci = [ … ]`.
        case xenDomain = "xen-domain"
    }

    /// The host PCI function claimed (the `<source>` address, or the device ID the kubelet holds).
    public var address: PCIAddress
    public var kind: Kind
    /// The domain name, the pod's container name as `POD-UID/CONTAINER`, or the ESXi VM's display name.
    public var name: String
    /// The domain UUID (also the Nova instance UUID), the pod UID, or the ESXi VM's BIOS UUID.
    public var uuid: String?
    /// true: the guest runs with this device (libvirt's status file of the domain lists it);
    /// false: defined but not in use now (the status directory was read and does not list it);
    /// nil: unknown, and always nil for pods (the checkpoint does not say whether a pod still runs).
    public var running: Bool?
    /// libvirt's `managed` (Xen's `seize`): whether the toolstack detaches the device from its
    /// host driver itself.
    public var managed: Bool?
    /// How the device is given: `hostdev`, `interface` (libvirt), `device-plugin` (kubelet),
    /// `sriov-passthrough` (ESXi), `pci` (Xen's `pci = [ … ]`).
    public var attachment: String
    /// The MAC and VLAN the consumer sets on the VF (libvirt `<mac>`, `<vlan><tag>`).
    public var mac: String?
    public var vlan: Int?
    /// libvirt `<teaming type>`: `transient` for the VF half of a failover pair.
    public var teaming: String?
    /// The extended resource the pod asked for (`intel.com/intel_sriov_netdevice`).
    public var resource: String?
    /// The NUMA node the kubelet allocated the device on (nil for "-1" and old checkpoints).
    public var numaNode: Int?
    /// The Nova instance's display name (`<nova:name>`), when the domain is an OpenStack instance.
    public var instanceName: String?
    /// Every file the claim was read from (a domain's definition and its live status).
    public var sources: [String]

    public init(
        address: PCIAddress, kind: Kind, name: String, uuid: String? = nil, running: Bool? = nil, managed: Bool? = nil,
        attachment: String, mac: String? = nil, vlan: Int? = nil, teaming: String? = nil, resource: String? = nil,
        numaNode: Int? = nil, instanceName: String? = nil, sources: [String]
    ) {
        self.address = address
        self.kind = kind
        self.name = name
        self.uuid = uuid
        self.running = running
        self.managed = managed
        self.attachment = attachment
        self.mac = mac
        self.vlan = vlan
        self.teaming = teaming
        self.resource = resource
        self.numaNode = numaNode
        self.instanceName = instanceName
        self.sources = sources
    }

    /// The consumer's identity: two claims of one identity are one owner (a domain's definition
    /// and its running state), two identities on one VF are a conflict.
    public var owner: String { "\(kind.rawValue):\(uuid ?? name)" }

    /// How reports name the consumer: `vm web-3`, `instance web-3 (vm instance-0000002a)`, `pod 5f3c…/app`.
    public var label: String {
        switch kind {
        case .libvirtDomain:
            if let instanceName { return "instance \(instanceName) (vm \(name))" }
            return "vm \(name)"
        case .kubernetesPod:
            return "pod \(name)"
        case .esxiVM:
            return "vm \(name)"
        case .xenDomain:
            return "domain \(name)"
        }
    }

    /// The canonical order of claims (by address, then owner, then source): placement, storage
    /// and diffs all depend on one order.
    public static func canonicalOrder(_ a: VFConsumer, _ b: VFConsumer) -> Bool {
        if a.address != b.address { return a.address < b.address }
        if a.owner != b.owner { return a.owner < b.owner }
        return a.sources.lexicographicallyPrecedes(b.sources)
    }
}

/// One file a consumer source was read from, and what it was taken for.
public struct ConsumerSource: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case libvirtDomain = "libvirt-domain"
        case libvirtStatus = "libvirt-status"
        case libvirtNetwork = "libvirt-network"
        case devicePluginConfig = "device-plugin-config"
        case kubeletCheckpoint = "kubelet-checkpoint"
        case deviceInfo = "device-info"
        case novaConfig = "nova-config"
        case neutronSriovAgent = "neutron-sriov-agent"
        case osNetConfig = "os-net-config"
        case nmstate
        case networkManager = "networkmanager"
        case hugepages
        /// `esxcli network sriovnic vf list -n vmnicN`: each VF's owner world on ESXi.
        case esxiVFList = "esxi-vf-list"
        /// `esxcli vm process list`: the running VMs' names by world and cartel ID.
        case esxiVMProcessList = "esxi-vm-process-list"
        /// An `xl` domain configuration (`/etc/xen/NAME.cfg`).
        case xenDomainConfig = "xen-domain-config"
    }

    /// The path on the host (`/etc/libvirt/qemu/vm1.xml`), not where a capture keeps it.
    public var path: String
    public var kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }
}
