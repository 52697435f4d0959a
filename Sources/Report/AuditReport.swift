import Inventory
import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything one audit run produced, in the shape every renderer reads: what ran (run id, time,
/// tool, rules file and its hash), over what (hosts with their PFs), what it found and the verdict.
/// The run id is also the push's idempotency key, so a receiver can tell a re-send from a new run.
/// Its JSON form is `audit-report.schema.json`.
public struct AuditReport: Codable, Sendable {
    public static let schemaVersion = 1

    public var schemaVersion: Int
    /// Unique per run (UUID).
    public var runId: String
    public var generatedAt: Date
    public var tool: Tool
    public var rules: RulesFile
    /// The severity from which a violation fails the run (`--fail-on`).
    public var failOn: Severity
    public var hosts: [Host]
    public var findings: [Finding]
    public var summary: Summary
    /// The waivers file applied (`--waivers`) and each waiver's standing; absent without one.
    public var waivers: WaiversFile?
    /// Per framework the rules file maps, per control: the rules that evidence it and how many
    /// hosts pass, warn, fail or are waived on them; absent when no rule names a control.
    public var controls: [Framework]?

    public struct Tool: Codable, Sendable, Hashable {
        public var name: String
        public var version: String
    }

    /// The rules file as it was read, so a report can be traced to the exact policy that made it.
    public struct RulesFile: Codable, Sendable, Hashable {
        public var path: String
        /// SHA-256 of the file's bytes.
        public var sha256: String
        public var rules: [RuleInfo]
    }

    /// A rule as reports describe it (SARIF's `tool.driver.rules`, the HTML legend).
    public struct RuleInfo: Codable, Sendable, Hashable {
        public var id: String
        public var check: String
        public var severity: Severity
        public var description: String?
        /// Where the rule is written in the rules file (1-based).
        public var line: Int
        public var column: Int
        /// The controls it evidences, by framework; absent when the rules file maps none.
        public var controls: ControlMapping?
    }

    /// The waivers file as it was read, and what became of each waiver in this run.
    public struct WaiversFile: Codable, Sendable, Hashable {
        public var path: String
        /// SHA-256 of the file's bytes.
        public var sha256: String
        /// The day expiry was judged on (UTC).
        public var today: CalendarDay
        public var waivers: [WaiverBook.Status]
    }

    /// One compliance framework's controls, as the rules file maps them.
    public struct Framework: Codable, Sendable, Hashable {
        public var name: String
        public var controls: [Control]
    }

    /// One control: the rules that evidence it, and the audited hosts by their standing on it (a
    /// host counts once, by its worst unwaived finding; `waived` when every violation is waived;
    /// `notEvaluated` when none of the rules applied to it).
    public struct Control: Codable, Sendable, Hashable {
        public var id: String
        public var rules: [String]
        public var passing: Int
        public var warning: Int
        public var failing: Int
        public var waived: Int
        public var notEvaluated: Int
        /// The hosts failing it (by an unwaived FAIL), for the auditor's follow-up.
        public var failingHosts: [String]
    }

    /// One audited host: its verdict and the PF facts the metrics and the firmware chart need.
    public struct Host: Codable, Sendable, Hashable {
        public var name: String
        public var labels: [String: String]
        public var collectedAt: Date
        public var kernelRelease: String?
        /// The operating system audited (`linux`, `esxi`): what it does not show, its findings
        /// say they could not judge.
        public var platform: HostPlatform
        public var status: Finding.Status
        public var pass: Int
        public var warn: Int
        public var fail: Int
        /// Violations accepted by an active waiver (not counted in `warn` or `fail`).
        public var waived: Int?
        /// Violations at or above `failOn`.
        public var blocking: Int
        /// The store's 128-bit content digest of the audited snapshot: which content the run judged
        /// (it names the content; the signatures, not this, make evidence tamper-evident).
        public var contentHash: String?
        public var physicalFunctions: [PF]
        /// The guests and pods that use the host's devices, with the devices each claims; absent
        /// when the host's consumer sources were not read.
        public var consumers: [Consumer]?
        /// Each VF's counters at the audited observation; absent when none were read.
        public var vfCounters: [VFCounterSample]?
        /// PF interfaces whose offload features differ from the PFs of the same model, driver and
        /// firmware; absent when no `offload-aligned` rule ran.
        public var featureDrift: Int?
    }

    /// One VF's counters, as the PF reported them at the audited observation.
    public struct VFCounterSample: Codable, Sendable, Hashable {
        /// The VF's PCI address, or `PFINTERFACE#INDEX` for a VF that has none (netdevsim).
        public var vf: String
        public var pfInterface: String
        public var index: Int
        /// `netlink` or `sysfs`.
        public var source: String
        public var rxPackets: UInt64?
        public var txPackets: UInt64?
        public var rxBytes: UInt64?
        public var txBytes: UInt64?
        public var rxDropped: UInt64?
        public var txDropped: UInt64?
    }

    /// A consumer (libvirt guest, OpenStack instance, pod) and the PCI functions it claims.
    public struct Consumer: Codable, Sendable, Hashable {
        /// `vm web-3`, `instance web-3 (vm instance-0000002a)`, `pod UID/container`.
        public var name: String
        public var kind: String
        /// Whether a guest runs (nil for pods and when unknown).
        public var running: Bool?
        public var devices: [String]
    }

    /// A PF's identity and provisioning, keyed by PCI address.
    public struct PF: Codable, Sendable, Hashable {
        public var bdf: String
        public var interface: String?
        /// `vendor:device:subvendor:subdevice`, the board model firmware alignment compares.
        public var model: String
        /// The pci.ids name with `[vendor:device]`.
        public var modelName: String
        public var driver: String?
        public var driverVersion: String?
        public var firmwareVersion: String?
        public var numVFs: Int?
        public var totalVFs: Int?
    }

    public struct Summary: Codable, Sendable, Hashable {
        public var hosts: Int
        public var pass: Int
        public var warn: Int
        public var fail: Int
        /// Violations accepted by an active waiver (not counted in `warn` or `fail`).
        public var waived: Int?
        /// Violations at or above `failOn`; 0 means the run is compliant.
        public var blocking: Int
        public var compliant: Bool
    }

    /// `host` for a one-host report, else `fleet`: the stem of the report's file names.
    public var subject: String {
        hosts.count == 1 ? hosts[0].name : "fleet"
    }

    /// Whether a finding counts against the verdict.
    public func isBlocking(_ finding: Finding) -> Bool {
        finding.isBlocking(atOrAbove: failOn)
    }

    public static func makeEncoder() -> JSONEncoder {
        HostSnapshot.makeEncoder()
    }

    public static func makeDecoder() -> JSONDecoder {
        HostSnapshot.makeDecoder()
    }
}
