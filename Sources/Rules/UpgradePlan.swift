import Inventory
import Store

/// A planned roll-out: new firmware (and optionally driver or kernel) on every PF of a model.
///
/// Why: before anyone touches a host, the same rules are evaluated as if the planned versions were
/// installed, and the hosts that would become non-compliant (outside a matrix, below a floor, out
/// of alignment) are listed. Nothing on any host changes.
public struct UpgradePlan: Sendable {
    /// `VENDOR:DEVICE` (`15b3:101d`), `VENDOR:DEVICE:SUBVENDOR:SUBDEVICE`, or a glob on the model name.
    public var model: String
    public var firmware: String?
    public var driver: String?
    public var kernel: String?

    public init(model: String, firmware: String? = nil, driver: String? = nil, kernel: String? = nil) {
        self.model = model
        self.firmware = firmware
        self.driver = driver
        self.kernel = kernel
    }

    public func matches(_ device: AuditFacts.Device) -> Bool {
        let m = model.lowercased()
        if m == device.vendorDevice || m == device.modelKey { return true }
        return glob(model, device.deviceName ?? "")
    }

    /// The PF as it would be after the roll-out; nil when the plan does not touch it (another
    /// model, or no driver information to update).
    public func apply(to pf: AuditFacts.PF, kernelRelease: String?) -> AuditFacts.PF? {
        guard let device = pf.device, matches(device), pf.hasDriverInfo else { return nil }
        var planned = pf
        if let firmware { planned.firmware = Self.reported(firmware) }
        if let driver {
            planned.driverVersion = Self.reported(driver)
        } else if let kernel, let kernelRelease, pf.driverVersion == kernelRelease {
            planned.driverVersion = Self.reported(kernel)  // an in-tree driver reports the kernel release as its version
        }
        return planned
    }

    /// A version as `ethtool -i` reports it: without padding, nil when blank.
    private static func reported(_ text: String) -> String? {
        let trimmed = text.trimmingBlanks
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// What a planned roll-out would do to each host.
public struct UpgradeImpact: Codable, Sendable {
    public struct Host: Codable, Sendable {
        public var host: String
        public var pfsTouched: Int
        /// Violations the roll-out would introduce.
        public var newFindings: [Finding]
        /// Violations it would clear.
        public var resolvedFindings: [Finding]
    }

    public var hosts: [Host]

    /// Only the rules that read versions can change verdict under a roll-out (the firmware and
    /// driver floors, the compatibility matrix, firmware alignment): they are evaluated as the
    /// hosts are and as they would be, over the PF facts alone; every other rule gives the same
    /// findings before and after.
    static func readsVersions(_ check: CheckKind) -> Bool {
        check == .firmwareMinimum || check == .driverMinimum || check == .driverFirmwareCompat || check == .firmwareAligned
    }

    /// Hosts given in memory (stored in a private in-memory store first).
    public static func evaluate(_ plan: UpgradePlan, rules: RuleSet, hosts: [AuditHost]) throws -> UpgradeImpact {
        let store = try InventoryStore.inMemory()
        let subjects = try AuditEngine.storeSubjects(hosts, in: store)
        return try evaluate(plan, rules: rules, store: store, subjects: subjects)
    }

    public static func evaluate(_ plan: UpgradePlan, rules: RuleSet, store: InventoryStore, subjects: [AuditSubject]) throws -> UpgradeImpact {
        let pfFacts = try store.pfFacts(of: Array(Set(subjects.map(\.snapshotID))))
        var touched: [Int] = []
        var overrides: [VersionOverride] = []
        var before: [FactsHost] = []
        var after: [FactsHost] = []
        for subject in subjects {
            let facts = pfFacts[subject.snapshotID] ?? []
            var pfs: [AuditFacts.PF] = []
            var planned: [AuditFacts.PF] = []
            var count = 0
            for fact in facts {
                guard let pf = fact.pf else { continue }
                pfs.append(pf)
                if let new = plan.apply(to: pf, kernelRelease: subject.kernelRelease) {
                    count += 1
                    planned.append(new)
                    overrides.append(VersionOverride(seq: subject.seq, owner: FactOwner.code(fact.owner), firmware: new.firmware, driverVersion: new.driverVersion))
                } else {
                    planned.append(pf)
                }
            }
            touched.append(count)
            before.append(FactsHost(name: subject.hostname, labels: subject.labels, facts: .pfsOnly(pfs, subject)))
            after.append(FactsHost(name: subject.hostname, labels: subject.labels, facts: .pfsOnly(planned, subject)))
        }
        var old: [Finding] = []
        var new: [Finding] = []
        for rule in rules.rules where readsVersions(rule.check) {
            if FleetRule.isFleet(rule.check) {
                let fleet = FleetRule(rule: rule, subjects: subjects, pfFacts: pfFacts, store: store)
                old += try fleet.findings(direct: [])
                new += try fleet.findings(direct: [], overrides: overrides)
            } else {
                old += before.flatMap { HostChecks.run(rule, $0) }
                new += after.flatMap { HostChecks.run(rule, $0) }
            }
        }
        old = old.filter { $0.status != .pass }
        new = new.filter { $0.status != .pass }
        func key(_ f: Finding) -> String { "\(f.rule)|\(f.host)|\(f.bdf ?? "")" }
        let oldKeys = Set(old.map(key)), newKeys = Set(new.map(key))
        var newByHost: [String: [Finding]] = [:], clearedByHost: [String: [Finding]] = [:]
        for f in new where !oldKeys.contains(key(f)) { newByHost[f.host, default: []].append(f) }
        for f in old where !newKeys.contains(key(f)) { clearedByHost[f.host, default: []].append(f) }
        return UpgradeImpact(hosts: zip(subjects, touched).map { subject, count in
            Host(host: subject.hostname, pfsTouched: count, newFindings: newByHost[subject.hostname] ?? [],
                 resolvedFindings: clearedByHost[subject.hostname] ?? [])
        })
    }
}

extension AuditFacts {
    /// Facts holding only PCI PFs: all the version-reading checks look at.
    static func pfsOnly(_ pfs: [PF], _ subject: AuditSubject) -> AuditFacts {
        AuditFacts(hostname: subject.hostname, kernelRelease: subject.kernelRelease,
                   iommu: IOMMUState(enabled: nil, units: nil, groupCount: 0, commandLineOptions: []), pfs: pfs, netdevPFs: [], vfs: [],
                   interfaceMACs: [], incompleteTables: [], isolation: Isolation(subjects: [], groups: [], memberDrivers: [:]))
    }
}
