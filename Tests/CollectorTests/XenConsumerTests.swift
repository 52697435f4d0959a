@testable import Collector
import Inventory
import Rules
import TestSupport
import XCTest

/// Xen domains as VF consumers: `xl` configurations (libvirt's real test files in
/// `Tests/Fixtures/consumers/xen/`) read to the functions their `pci = [ … ]` lists give, on
/// their own and placed on a capture's VFs by the collector.
final class XenConsumerTests: XCTestCase {
    private let a = { (text: String) in PCIAddress(text)! }

    func testXLConfigsOfLibvirtsTests() throws {
        let guest = try XenConfigParser.domain(try ConsumerFixtures.text("xen/XenGuest2.cfg"), path: "/etc/xen/XenGuest2.cfg")
        XCTAssertEqual(guest.name, "XenGuest2")
        XCTAssertEqual(guest.uuid, "c7a5fdb2-cdaf-9455-926a-d65c16db1809")
        XCTAssertEqual(guest.claims.map(\.address), [a("0000:01:1a.1"), a("0000:02:00.0")], "permissive=1 is an option, not a device")
        XCTAssertEqual(Set(guest.claims.map(\.kind)), [.xenDomain])
        XCTAssertEqual(Set(guest.claims.map(\.attachment)), ["pci"])
        XCTAssertEqual(guest.claims.map(\.managed), [nil, nil], "no seize= given")
        XCTAssertEqual(guest.claims.first?.running, nil, "a config file does not say whether the domain runs")
        XCTAssertEqual(guest.claims.first?.label, "domain XenGuest2")
        XCTAssertEqual(guest.claims.first?.sources, ["/etc/xen/XenGuest2.cfg"])
        XCTAssertEqual(guest.problems, [])

        let syntax = try XenConfigParser.domain(try ConsumerFixtures.text("xen/pci-dev-syntax.cfg"), path: "/etc/xen/test.cfg")
        XCTAssertEqual(syntax.claims.map(\.address), [a("0001:0c:1b.2"), a("0000:01:13.0")], "the PCI domain is optional, as in lspci")
    }

    /// Variants derived from XenGuest2.cfg: each other form xl-pci-configuration(5) allows, and
    /// the specs that must be warnings (the placeholder Kite's README tells users to replace,
    /// every function of a device) while the rest of the list is kept.
    func testSpecFormsAndBadSpecs() throws {
        let base = try ConsumerFixtures.text("xen/XenGuest2.cfg")
        let forms = base.replacingOccurrences(of: "pci = [ \"0000:01:1a.1\", \"0000:02:00.0,permissive=1\" ]", with: """
            pci = [ 'xx:xx.x,permissive=1',   # the placeholder of a how-to
                    "03:00.*",
                    "bdf=0000:04:10.2,seize=1",
                    '04:10.4@08,msitranslate=1' ]
            pci += [ "0000:04:10.6" ]
            """)
        XCTAssertNotEqual(forms, base)
        let d = try XenConfigParser.domain(forms, path: "/etc/xen/XenGuest2.cfg")
        XCTAssertEqual(d.claims.map(\.address), [a("0000:04:10.2"), a("0000:04:10.4"), a("0000:04:10.6")])
        XCTAssertEqual(d.claims.map(\.managed), [true, nil, nil])
        XCTAssertEqual(d.problems.map(\.line), [20, 21])
        XCTAssertEqual(d.problems.first?.reason, "PCI spec \"xx:xx.x,permissive=1\": \"xx:xx.x\" is not a PCI address ([DDDD:]BB:DD.F)")
        XCTAssertTrue(d.problems.last?.reason.contains("every function of a device (.*)") == true)

        XCTAssertThrowsError(try XenConfigParser.domain(base.replacingOccurrences(of: "name = \"XenGuest2\"\n", with: ""), path: "x")) { error in
            XCTAssertEqual((error as? ConsumerFileError)?.reason, "no `name = \"…\"`: not an xl domain configuration")
        }
        XCTAssertThrowsError(try XenConfigParser.domain(base.replacingOccurrences(of: "permissive=1\" ]", with: "permissive=1\""), path: "x")) { error in
            XCTAssertEqual(error as? ConsumerFileError, ConsumerFileError(line: 20, reason: "a list `[` that is not closed before the next setting"))
        }
        XCTAssertThrowsError(try XenConfigParser.domain(base.replacingOccurrences(of: "vcpus = 1", with: "vcpus 1"), path: "x")) { error in
            XCTAssertEqual(error as? ConsumerFileError, ConsumerFileError(line: 5, reason: "`vcpus` is not followed by `=`"))
        }
    }

    func testCollectorPlacesXenClaimsAndTheAuditFindsAStaleOne() throws {
        // XenGuest2 moved onto the capture's VF 04:10.2; a second domain on 04:10.6, which does not exist.
        let guest = try ConsumerFixtures.text("xen/XenGuest2.cfg").replacingOccurrences(of: "0000:01:1a.1", with: "0000:04:10.2")
        let stale = try ConsumerFixtures.text("xen/pci-dev-syntax.cfg").replacingOccurrences(of: "\"01:13.0\"", with: "\"04:10.6\"")
        let placeholder = try ConsumerFixtures.text("xen/XenGuest2.cfg").replacingOccurrences(of: "\"0000:01:1a.1\", \"0000:02:00.0,permissive=1\"", with: "'xx:xx.x,permissive=1'")
            .replacingOccurrences(of: "XenGuest2", with: "netbackend")
        let root = try ConsumerFixtures.host(["/etc/xen/XenGuest2.cfg": guest, "/etc/xen/auto/test.cfg": stale, "/etc/xen/xl.conf": "autoballoon=\"off\"\n",
                                              "/etc/xen/netbackend.cfg": placeholder])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let snapshot = try Collector().collectCapture(at: root)
        XCTAssertEqual(snapshot.consumers?.sources.map(\.path), ["/etc/xen/XenGuest2.cfg", "/etc/xen/netbackend.cfg", "/etc/xen/auto/test.cfg"],
                       "xl.conf is no domain")
        XCTAssertTrue(snapshot.warnings.contains {
            $0.subject == "/etc/xen/netbackend.cfg:20" && $0.message.hasPrefix("xen-domain-config: PCI spec \"xx:xx.x,permissive=1\"")
        }, "\(snapshot.warnings)")
        XCTAssertEqual(snapshot.consumers?.readsConsumers, true)
        let vf = try XCTUnwrap(snapshot.virtualFunctions.first { $0.address == a("0000:04:10.2") })
        XCTAssertEqual(vf.consumers.map(\.label), ["domain XenGuest2"])
        XCTAssertEqual(snapshot.consumers?.otherClaims.map(\.address), [a("0000:02:00.0"), a("0000:04:10.6"), a("0001:0c:1b.2")])

        let rules = try RuleFileParser.parse("version: 1\nrules:\n  - {id: vfc, check: vf-consumer, severity: high, allow-idle: true}\n", path: "t.yaml")
        let findings = try Auditor(rules: rules).audit([AuditHost(snapshot: snapshot)]).findings.filter { $0.status != .pass }
        XCTAssertEqual(findings.map(\.message), [
            "domain test (/etc/xen/auto/test.cfg) claims 0000:04:10.6, which does not exist on this host",
            "domain test (/etc/xen/auto/test.cfg) claims 0001:0c:1b.2, which does not exist on this host",
        ])
    }
}
