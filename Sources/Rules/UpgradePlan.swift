import Inventory

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

    public func matches(_ device: PCIDevice) -> Bool {
        let m = model.lowercased()
        if m == device.vendorDevice || m == device.modelKey { return true }
        return glob(model, device.deviceName ?? "")
    }

    /// The snapshot as it would be after the roll-out, and how many PFs the plan touched.
    public func apply(to snapshot: HostSnapshot) -> (HostSnapshot, Int) {
        var s = snapshot
        let oldKernel = s.host.kernelRelease
        if let kernel { s.host.kernelRelease = kernel }
        let devices = Dictionary(s.pciDevices.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        var touched = 0
        var touchedInterfaces = Set<String>()
        for p in s.physicalFunctions.indices {
            guard let device = devices[s.physicalFunctions[p].address], matches(device), s.physicalFunctions[p].driverInfo != nil else { continue }
            touched += 1
            update(&s.physicalFunctions[p].driverInfo, oldKernel: oldKernel)
            touchedInterfaces.formUnion(s.physicalFunctions[p].interfaces)
        }
        for i in s.interfaces.indices where touchedInterfaces.contains(s.interfaces[i].name) {
            update(&s.interfaces[i].driverInfo, oldKernel: oldKernel)
        }
        return (s, touched)
    }

    private func update(_ info: inout DriverInfo?, oldKernel: String?) {
        if let firmware { info?.firmwareVersion = firmware }
        if let driver {
            info?.version = driver
        } else if let kernel, let oldKernel, info?.version == oldKernel {
            info?.version = kernel  // an in-tree driver reports the kernel release as its version
        }
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

    public static func evaluate(_ plan: UpgradePlan, rules: RuleSet, hosts: [AuditHost]) -> UpgradeImpact {
        var evaluation = Evaluation(plan: plan, rules: rules)
        evaluation.add(hosts)
        return evaluation.finish()
    }

    /// The same fed in batches: two audits side by side, as the hosts are and as they would be.
    public struct Evaluation {
        let plan: UpgradePlan
        private var before: AuditSession
        private var after: AuditSession
        private var touched: [(String, Int)] = []

        public init(plan: UpgradePlan, rules: RuleSet) {
            self.plan = plan
            before = AuditSession(rules: rules)
            after = AuditSession(rules: rules)
        }

        public mutating func add(_ hosts: [AuditHost]) {
            before.add(hosts)
            var planned: [AuditHost] = []
            for host in hosts {
                let (snapshot, count) = plan.apply(to: host.snapshot)
                touched.append((host.name, count))
                planned.append(AuditHost(snapshot: snapshot, labels: host.labels))
            }
            after.add(planned)
        }

        public func finish() -> UpgradeImpact {
            let old = before.finish().findings.filter { $0.status != .pass }
            let new = after.finish().findings.filter { $0.status != .pass }
            func key(_ f: Finding) -> String { "\(f.rule)|\(f.host)|\(f.bdf ?? "")" }
            let oldKeys = Set(old.map(key)), newKeys = Set(new.map(key))
            var newByHost: [String: [Finding]] = [:], clearedByHost: [String: [Finding]] = [:]
            for f in new where !oldKeys.contains(key(f)) { newByHost[f.host, default: []].append(f) }
            for f in old where !newKeys.contains(key(f)) { clearedByHost[f.host, default: []].append(f) }
            return UpgradeImpact(hosts: touched.map { name, count in
                Host(host: name, pfsTouched: count, newFindings: newByHost[name] ?? [], resolvedFindings: clearedByHost[name] ?? [])
            })
        }
    }
}
