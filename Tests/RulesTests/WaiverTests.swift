import Collector
import Foundation
import Inventory
import Rules
import Store
import TestSupport
import XCTest

/// Waivers and control mappings: the files' parsers (positions of every mistake), and waivers
/// matched against the findings of the real igb/NVMe/netdevsim capture, with the clock given.
/// The capture's violations: vf-security on VF 0000:04:10.2 of igb PF 0000:04:00.0 (eth1) and on
/// netdevsim eth4's VFs 1-3 (no PCI address).
final class WaiverTests: XCTestCase {
    private let today = CalendarDay("2026-12-02")!

    private func parse(_ text: String, maxDays: Int = 365) throws -> WaiverSet {
        try WaiverFileParser.parse(text, path: "w.yaml", today: today, maxDaysAhead: maxDays)
    }

    private func errors(_ text: String, maxDays: Int = 365) -> [String] {
        do {
            _ = try parse(text, maxDays: maxDays)
            return []
        } catch let error as RuleFileErrors {
            return error.errors.map(\.description)
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    func testCalendarDays() throws {
        XCTAssertEqual(CalendarDay("1970-01-01")?.daysSinceEpoch, 0)
        XCTAssertEqual(CalendarDay("2026-12-02")?.daysSinceEpoch, 20_789)
        XCTAssertEqual(CalendarDay(secondsSinceEpoch: 1_796_169_600).description, "2026-12-02")  // 2026-12-02T00:00:00Z
        XCTAssertEqual(CalendarDay(secondsSinceEpoch: 1_796_169_599).description, "2026-12-01")
        XCTAssertEqual(CalendarDay("2028-02-29")?.description, "2028-02-29")
        for bad in ["2027-02-29", "2027-13-01", "2027-00-10", "2027-1-01", "27-01-01", "2027-01-32", "2027-01-01T00:00:00Z", "２０２７-01-01"] {
            XCTAssertNil(CalendarDay(bad), bad)
        }
        for day in [0, 59, 365, 10_956, 20_789, 40_000] {
            XCTAssertEqual(CalendarDay(CalendarDay(daysSinceEpoch: day).description)?.daysSinceEpoch, day)
        }
    }

    func testAWaiversFileIsReadWithEveryField() throws {
        let set = try parse("""
            version: 1
            waivers:
              - id: lab-trust
                rule: [vf-security, "fw-*"]
                host: "lab-*"
                labels: {role: lab}
                bdf: "0000:04:*"
                pf: eth1
                reason: bonding tests need trusted VFs
                owner: netops@example.com
                ticket: CHG-1
                expires: 2027-03-31
              - rule: iommu-enabled
                reason: r
                owner: o
                ticket: T-2
                expires: "2026-01-01"
            """)
        XCTAssertEqual(set.waivers.count, 2)
        let w = set.waivers[0]
        XCTAssertEqual(w.id, "lab-trust")
        XCTAssertEqual(w.rules, ["vf-security", "fw-*"])
        XCTAssertEqual([w.host, w.bdf, w.pf], ["lab-*", "0000:04:*", "eth1"])
        XCTAssertEqual(w.labels, ["role": "lab"])
        XCTAssertEqual([w.reason, w.owner, w.ticket], ["bonding tests need trusted VFs", "netops@example.com", "CHG-1"])
        XCTAssertEqual(w.expires.description, "2027-03-31")
        XCTAssertEqual(w.position, SourcePosition(line: 3, column: 5))
        XCTAssertTrue(w.isActive(on: today))
        XCTAssertEqual(set.waivers[1].id, "w.yaml:13", "a waiver without an id is named by its place")
        XCTAssertFalse(set.waivers[1].isActive(on: today), "a past date is read and reported as expired, not rejected")
        XCTAssertTrue(set.waivers[1].isActive(on: CalendarDay("2026-01-01")!), "through the end of its day")
        XCTAssertEqual(w.unmatchedRulePatterns(among: ["vf-security", "iommu-enabled"]), ["fw-*"])
    }

    func testEveryMistakeIsReportedWithItsPosition() {
        XCTAssertEqual(errors("""
            waivers:
              - id: a
                rule: vf-security
                reasn: typo
                owner: o
                ticket: T
                expires: 2027-02-30
              - id: a
                rule: vf-security
                reason: r
                owner: o
                ticket: ""
                expires: 2030-01-01
              - rule: vf-security
                reason: r
                owner: o
                expires: 2027-01-01
              - not a mapping
            extra: 1
            """), [
            "w.yaml:2:5: waiver has no `reason`",
            "w.yaml:4:5: `reasn` is not a waiver key (did you mean `reason`?)",
            "w.yaml:7:14: `expires` is a date, YYYY-MM-DD (`2027-03-31`), not `2027-02-30`",
            "w.yaml:12:13: `ticket` is a non-empty text",
            "w.yaml:13:14: `expires` 2030-01-01 is more than 365 days after today (2026-12-02); the latest allowed is 2027-12-02",
            "w.yaml:14:5: waiver has no `ticket` (the change or risk ticket that records the acceptance)",
            "w.yaml:18:5: a waiver is a mapping with `rule`, `reason`, `owner`, `ticket` and `expires`",
            "w.yaml:19:1: unknown key `extra` (expected `version` or `waivers`)",
        ])
        XCTAssertEqual(errors("waivers: []\n", maxDays: 30), [])
        XCTAssertEqual(errors("""
            waivers:
              - {id: x, rule: r, reason: r, owner: o, ticket: t, expires: 2027-01-02}
              - {id: x, rule: r, reason: r, owner: o, ticket: t, expires: 2027-01-02}
            """, maxDays: 30), [
            "w.yaml:2:63: `expires` 2027-01-02 is more than 30 days after today (2026-12-02); the latest allowed is 2027-01-01",
            "w.yaml:3:63: `expires` 2027-01-02 is more than 30 days after today (2026-12-02); the latest allowed is 2027-01-01",
        ])
        XCTAssertEqual(errors("waivers:\n  - {id: x, rule: r, reason: r, owner: o, ticket: t, expires: 2027-01-02}\n  - {id: x, rule: r, reason: r, owner: o, ticket: t, expires: 2027-01-02}\n"),
                       ["w.yaml:3:5: duplicate waiver id `x` (first at line 2)"])
        XCTAssertEqual(errors("waivers: [\n"), ["w.yaml:2:1: not valid YAML: did not find expected node content"])
        XCTAssertEqual(errors("- a\n"), ["w.yaml:1:1: a waivers file is a mapping with a `waivers:` list"])
    }

    func testControlsAreReadAndValidated() throws {
        let set = try RuleFileParser.parse("""
            rules:
              - id: sec
                check: vf-security
                severity: medium
                controls: {internal: [NET-7], nist-800-53: [SC-7, AC-4], pci-dss-4.0: ["1.3.1"]}
            """, path: "r.yaml")
        XCTAssertEqual(set.rules[0].controls.byFramework, ["internal": ["NET-7"], "nist-800-53": ["SC-7", "AC-4"], "pci-dss-4.0": ["1.3.1"]])
        XCTAssertEqual(set.rules[0].controls.frameworks, ["internal", "nist-800-53", "pci-dss-4.0"])
        do {
            _ = try RuleFileParser.parse("""
                rules:
                  - id: sec
                    check: vf-security
                    severity: medium
                    controls:
                      nist-800-53: [SC-7, SC-7]
                      "pci dss": ["1.3.1"]
                      empty: []
                  - id: other
                    check: iommu-enabled
                    severity: high
                    controls: [SC-7]
                """, path: "r.yaml")
            XCTFail("mistakes not found")
        } catch let error as RuleFileErrors {
            XCTAssertEqual(error.errors.map(\.description), [
                "r.yaml:6:27: control `SC-7` is listed twice for `nist-800-53`",
                "r.yaml:7:7: a framework name is a word of letters, digits, `-`, `_` or `.` (`nist-800-53`, `pci-dss-4.0`)",
                "r.yaml:8:14: `empty` lists no control; drop it or name at least one",
                "r.yaml:12:15: `controls` is a mapping of framework to control IDs (`nist-800-53: [SC-7, AC-4]`)",
            ])
        }
        // The shipped rules map every rule to the internal catalogue; the example adds two frameworks.
        let defaults = try DefaultRules.ruleSet()
        XCTAssertTrue(defaults.rules.allSatisfy { $0.controls.byFramework["internal"]?.isEmpty == false }, "every default rule")
        let example = try RuleFileParser.parse(try String(contentsOfFile: Fixtures.packageRoot + "/rules/examples/compliance-nist-pci.yaml", encoding: .utf8),
                                               path: "compliance-nist-pci.yaml")
        XCTAssertEqual(example.rules.map(\.id), defaults.rules.map(\.id), "the example maps the default rules")
        XCTAssertEqual(example.rules.first { $0.id == "vf-security" }?.controls.byFramework["pci-dss-4.0"], ["1.4.3"])
        XCTAssertEqual(Set(example.rules.flatMap(\.controls.frameworks)), ["internal", "nist-800-53", "pci-dss-4.0"])
    }

    // MARK: matching, on the capture's findings

    private func outcome() throws -> (findings: [Finding], hosts: [String: WaiverBook.Host]) {
        var snapshot = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        snapshot.host.hostname = "lab-01"
        var engine = AuditEngine(rules: try DefaultRules.ruleSet())
        engine.readVFOwners = true
        let result = try engine.run([AuditHost(snapshot: snapshot, labels: ["role": "lab"])])
        // What ReportBuilder hands the book: labels and each device's PF.
        var host = WaiverBook.Host(labels: ["role": "lab"])
        var byOwner: [AuditFacts.VF.Owner: WaiverBook.PFName] = [:]
        for fact in result.pfFacts.values.first ?? [] {
            guard let pf = fact.pf else { continue }
            let name = WaiverBook.PFName(address: pf.address.description, interfaces: pf.interfaces)
            byOwner[fact.owner] = name
            host.pfOf[name.address] = name
        }
        for (vf, owner) in result.vfOwners.values.first ?? [:] { host.pfOf[vf] = byOwner[owner] }
        return (result.findings, ["lab-01": host])
    }

    private func waived(_ yaml: String, on day: String = "2026-12-02") throws -> (findings: [Finding], statuses: [WaiverBook.Status]) {
        let set = try parse("waivers:\n" + yaml)
        let (findings, hosts) = try outcome()
        return WaiverBook(set, today: CalendarDay(day)!).apply(to: findings, hosts: hosts)
    }

    private func entry(_ id: String, _ match: String, expires: String = "2027-01-31") -> String {
        "  - {id: \(id), \(match), reason: accepted, owner: netops, ticket: CHG-9, expires: \(expires)}\n"
    }

    func testWaiversMatchByRuleHostLabelsDeviceAndPF() throws {
        let (findings, _) = try outcome()
        let security = findings.filter { $0.rule == "vf-security" && $0.status != .pass }
        XCTAssertEqual(security.map { $0.bdf ?? "-" }, ["0000:04:10.2", "-", "-", "-"], "the capture's violations")

        func waivedDevices(_ match: String) throws -> [String] {
            try waived(entry("w", match)).findings.filter(\.isWaived).map { $0.bdf ?? "-" }
        }
        XCTAssertEqual(try waivedDevices("rule: vf-security"), ["0000:04:10.2", "-", "-", "-"])
        XCTAssertEqual(try waivedDevices("rule: \"vf-*\", host: \"lab-*\""), ["0000:04:10.2", "-", "-", "-"])
        XCTAssertEqual(try waivedDevices("rule: vf-security, host: \"prod-*\""), [])
        XCTAssertEqual(try waivedDevices("rule: vf-security, labels: {role: lab}"), ["0000:04:10.2", "-", "-", "-"])
        XCTAssertEqual(try waivedDevices("rule: vf-security, labels: {role: prod}"), [])
        XCTAssertEqual(try waivedDevices("rule: vf-security, bdf: \"0000:04:10.*\""), ["0000:04:10.2"], "a device glob never matches host-level or address-less findings")
        XCTAssertEqual(try waivedDevices("rule: vf-security, pf: eth1"), ["0000:04:10.2"], "the PF's interface covers its VFs")
        XCTAssertEqual(try waivedDevices("rule: vf-security, pf: \"0000:04:00.0\""), ["0000:04:10.2"], "and so does its address")
        XCTAssertEqual(try waivedDevices("rule: vf-security, pf: \"0000:05:*\""), [])
        XCTAssertEqual(try waivedDevices("rule: iommu-enabled"), [], "passes are never waived")
    }

    func testExpiryStaleWaiversAndBlocking() throws {
        let yaml = entry("sec", "rule: vf-security", expires: "2027-01-31") + entry("stale", "rule: iommu-enabled", expires: "2027-06-30") + entry("old", "rule: vf-security", expires: "2026-06-30")
        let now = try waived(yaml)
        XCTAssertEqual(now.statuses.map(\.state), [.active, .stale, .expired])
        XCTAssertEqual(now.statuses.map(\.matched), [4, 0, 0], "the active waiver is preferred; the expired one matched nothing")
        XCTAssertEqual(now.statuses.map(\.line), [2, 3, 4])
        let accepted = now.findings.filter { $0.rule == "vf-security" && $0.status != .pass }
        XCTAssertTrue(accepted.allSatisfy { $0.isWaived && $0.waiver?.id == "sec" && $0.status == .fail && $0.severity == .medium },
                      "a waived finding keeps its status and severity")
        XCTAssertFalse(accepted.contains { $0.isBlocking(atOrAbove: .info) }, "and blocks nothing")

        // The day after "sec" expires: the expired waivers are named on the findings, which block again.
        let later = try waived(yaml, on: "2027-02-01")
        XCTAssertEqual(later.statuses.map(\.state), [.expired, .stale, .expired])
        XCTAssertEqual(later.statuses.map(\.matched), [4, 0, 0])
        let open = later.findings.filter { $0.rule == "vf-security" && $0.status != .pass }
        XCTAssertTrue(open.allSatisfy { !$0.isWaived && $0.waiver?.state == .expired && $0.waiver?.id == "sec" })
        XCTAssertEqual(open.filter { $0.isBlocking(atOrAbove: .medium) }.count, 4)
        // The last day itself is still covered.
        XCTAssertEqual(try waived(yaml, on: "2027-01-31").statuses.first?.state, .active)
    }
}
