/// The rules a new user gets without writing anything: `rules/default.yaml`, built into the binary
/// so that an installed `sriov-audit audit` needs no files beside it (a test keeps the two equal).
public enum DefaultRules {
    public static let path = "rules/default.yaml"

    public static let yaml = """
# sriov-audit default rules: what a new user gets without writing anything.
# Each rule: id, check (fixed names), severity (info, low, medium, high, critical), optional
# `select` (vendor, device, subsystem, model, driver, pf, labels) and the check's parameters.
# `controls` names what each rule evidences in the tool's own catalogue (README, "Compliance"):
# SRIOV-ISO DMA isolation, SRIOV-CFG provisioning, SRIOV-L2 layer-2 identity and segmentation,
# SRIOV-FW firmware baseline, SRIOV-USE VF accounting. Map them to your frameworks as
# rules/examples/compliance-nist-pci.yaml does.
version: 1
rules:
  - id: iommu-enabled
    check: iommu-enabled
    severity: critical
    controls: {internal: [SRIOV-ISO-1]}
    description: The IOMMU is on (groups exist and an IOMMU unit is registered); VFs given to guests need it.

  - id: vf-isolation
    check: iommu-isolation
    severity: high
    controls: {internal: [SRIOV-ISO-1]}
    description: Every VF, and every device on vfio-pci, is alone in its IOMMU group or shares it only with devices that are unbound, on vfio-pci, or on a driver that does no DMA (pcieport, pci-stub).

  - id: vf-capacity
    check: vf-capacity
    severity: high
    controls: {internal: [SRIOV-CFG-1]}
    description: numvfs is within totalvfs and every VF the PF announced exists (no partial creation).

  - id: vf-driver-bound
    check: vf-driver
    severity: medium
    controls: {internal: [SRIOV-CFG-1]}
    description: Every VF is bound to a VF driver or vfio-pci; an unbound VF is unusable.
    allowed-drivers: [iavf, ixgbevf, igbvf, i40evf, mlx5_core, mlx4_core, bnxt_en, qede, ice, cxgb4vf, enic, nfp_netvf, hinic, sfc, vfio-pci, mlx5_vfio_pci, nvme]

  - id: vf-mac-valid
    check: mac-valid
    severity: high
    controls: {internal: [SRIOV-L2-1]}
    description: No multicast or broadcast VF MAC; no all-zero MAC on a VF that has a netdev.
    zero-mac: netdev

  - id: mac-unique-host
    check: mac-unique
    severity: high
    controls: {internal: [SRIOV-L2-1]}
    description: No two interfaces or VFs of a host share a MAC.
    scope: host

  - id: mac-unique-l2
    check: mac-unique
    severity: high
    controls: {internal: [SRIOV-L2-1]}
    description: No two hosts in the same L2 domain share a MAC (hosts without the label are each their own domain).
    scope: label:l2-domain

  - id: vlan-valid
    check: vlan-allowed
    severity: high
    controls: {internal: [SRIOV-L2-2]}
    description: VF VLAN IDs are real (4095 is reserved) and QoS is 0-7.
    vlans: ["0-4094"]
    max-qos: 7

  - id: vf-security
    check: vf-security
    severity: medium
    controls: {internal: [SRIOV-L2-3]}
    description: Spoof checking is on and trust is off on every VF, unless exempted.

  - id: firmware-aligned
    check: firmware-aligned
    severity: medium
    controls: {internal: [SRIOV-FW-1]}
    description: Every PF of the same board model runs the same firmware across the fleet.
    scope: fleet

  - id: vf-consumer
    check: vf-consumer
    severity: high
    controls: {internal: [SRIOV-USE-1]}
    description: Each VF has at most one consumer (libvirt guest, pod), every consumer's VF exists, a VF taken with managed='no' is off the host driver, and no VF sits on vfio-pci unused.
    allow-idle: false

  - id: consumer-config
    check: consumer-config
    severity: medium
    controls: {internal: [SRIOV-USE-1]}
    description: The MAC and VLAN a running guest or os-net-config/nmstate sets are the PF's VF table's; numvfs is the declared count; VFs nobody uses keep no old MAC or VLAN.
    stale-settings: true

  - id: device-plugin-pool
    check: device-plugin-pool
    severity: medium
    controls: {internal: [SRIOV-USE-1]}
    description: Every device plugin resource and libvirt hostdev network selects devices, no VF is in two pools, ranges fit the PF, and the kubelet checkpoint names only VFs that exist, in the pool they were allocated from.

  - id: nova-device-spec
    check: nova-device-spec
    severity: medium
    controls: {internal: [SRIOV-USE-1]}
    description: Every Nova device_spec matches a device, its physical_network is mapped to its PF by the Neutron SR-IOV agent, and trusted matches the trust of VFs in use.

  - id: dpdk-hugepages
    check: dpdk-hugepages
    severity: high
    controls: {internal: [SRIOV-CFG-2]}
    description: VFs on DPDK drivers (vfio-pci, igb_uio, uio_pci_generic) sit on NUMA nodes with free huge pages.

"""

    public static func ruleSet() throws -> RuleSet {
        try RuleFileParser.parse(yaml, path: path)
    }
}
