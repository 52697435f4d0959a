import Foundation
import Rules
import TestSupport
import XCTest

final class RuleFileTests: XCTestCase {
    private var rulesDirectory: String { Fixtures.packageRoot + "/rules" }

    func testShippedRuleFilesParse() throws {
        let defaults = try RuleFileParser.parse(try String(contentsOfFile: rulesDirectory + "/default.yaml", encoding: .utf8), path: "default.yaml")
        XCTAssertEqual(defaults.rules.count, 15)
        XCTAssertEqual(defaults.rules.first?.check, .iommuEnabled)
        XCTAssertEqual(defaults.rules.first?.severity, .critical)
        XCTAssertEqual(defaults.rules.first { $0.id == "mac-unique-l2" }?.parameters, .macUnique(scope: .label("l2-domain"), withVLAN: false))
        XCTAssertEqual(Set(defaults.rules.map(\.id)).count, defaults.rules.count)

        let fleet = try RuleFileParser.parse(try String(contentsOfFile: rulesDirectory + "/examples/fleet-policy.yaml", encoding: .utf8), path: "fleet.yaml")
        XCTAssertEqual(fleet.rules.count, 34)
        XCTAssertEqual(fleet.rules.first { $0.id == "dpdk-1g-pages" }?.parameters, .dpdkHugepages(sizeKB: 1048576, drivers: ["vfio-pci", "igb_uio", "uio_pci_generic"]))
        XCTAssertEqual(fleet.rules.first { $0.id == "dpdk-spare-vfs" }?.parameters, .vfConsumer(allowIdle: true))
        // One floor per mlx5 device family: a major number names the family.
        let mlx = try XCTUnwrap(fleet.rules.first { $0.id == "cx6dx-firmware-floor" })
        XCTAssertEqual(mlx.selector.vendors, ["15b3"])
        XCTAssertEqual(mlx.selector.devices, ["101d"])
        XCTAssertEqual(mlx.position, SourcePosition(line: 14, column: 5))
        guard case .versionMinimum(let mfw) = fleet.rules.first(where: { $0.id == "qede-mfw-floor" })?.parameters else {
            return XCTFail("no qede floor")
        }
        XCTAssertEqual(mfw.component, "mfw")
        XCTAssertEqual(mfw.text, ">=8.37")
        guard case .compatibility(let matrix) = fleet.rules.first(where: { $0.id == "mlx5-compat" })?.parameters else {
            return XCTFail("no matrix")
        }
        XCTAssertEqual(matrix.count, 3)
        XCTAssertEqual(matrix[2].note, "ConnectX-7")
        XCTAssertEqual(Set(fleet.rules.map(\.check)).union(defaults.rules.map(\.check)), Set(CheckKind.allCases), "every check kind is shown")
    }

    /// Every mistake at once, each with its line and column.
    func testEveryMistakeIsReportedWithItsPosition() throws {
        let text = """
            version: 1
            rules:
              - id: a
                check: iommu-enabled
                severity: critical
              - id: a
                check: firmware-minimum
                severity: high
                minimum: ">=banana"
              - id: b
                check: not-a-check
                severity: high
              - id: c
                check: vf-capacity
                severity: urgent
                max-vfs-per-pf: lots
                select: {vendor: "80861", device: [zz12]}
              - id: d
                check: vlan-allowed
                severity: low
                vlans: ["100-50", 4095]
                colour: blue
              - check: vf-driver
                severity: low
            extra: 1
            """
        XCTAssertThrowsError(try RuleFileParser.parse(text, path: "bad.yaml")) { error in
            let lines = (error as? RuleFileErrors)?.errors.map(\.description) ?? []
            XCTAssertEqual(lines, [
                "bad.yaml:6:5: duplicate rule id `a` (first at line 3)",
                "bad.yaml:9:14: `minimum`: \">=banana\" is not a version condition (>=, >, <=, < or = followed by a version)",
                "bad.yaml:11:12: unknown check `not-a-check` (known: \(CheckKind.allCases.map(\.rawValue).joined(separator: ", ")))",
                "bad.yaml:15:15: unknown severity `urgent` (info, low, medium, high, critical)",
                "bad.yaml:16:21: `max-vfs-per-pf` is a whole number, 0 or more",
                "bad.yaml:17:22: `vendor` wants 4 hex digits (`8086`), not `80861`",
                "bad.yaml:17:39: `device` wants 4 hex digits (`8086`), not `zz12`",
                "bad.yaml:21:12: `100-50` is not a VLAN ID or range within 0-4094",
                "bad.yaml:21:12: `4095` is not a VLAN ID or range within 0-4094",
                "bad.yaml:22:5: `colour` is not a parameter of `vlan-allowed`",
                "bad.yaml:23:5: rule has no `id`",
                "bad.yaml:23:5: `vf-driver` needs `allowed-drivers`",
                "bad.yaml:25:1: unknown key `extra` (expected `version` or `rules`)",
            ])
        }
    }

    /// A range on one named part of a multi-part version, for floors and matrices alike.
    func testRangesOnANamedComponent() throws {
        let rules = try RuleFileParser.parse("""
            version: 1
            rules:
              - {id: a, check: firmware-minimum, severity: high, minimum: {component: mfw, minimum: "8.37"}}
              - id: b
                check: driver-firmware-compat
                severity: high
                matrix:
                  - {driver: ">=5.15", firmware: {component: bc, range: ">=7.10 <7.16"}, note: bootcode window}
            """, path: "c.yaml")
        guard case .versionMinimum(let floor) = rules.rules[0].parameters, case .compatibility(let matrix) = rules.rules[1].parameters else {
            return XCTFail("\(rules.rules.map(\.parameters))")
        }
        XCTAssertEqual(floor.component, "mfw")
        XCTAssertEqual(floor.description, ">=8.37 (mfw)")
        XCTAssertEqual(matrix[0].firmware.component, "bc")
        XCTAssertEqual(matrix[0].firmware.conditions.map(\.numbers), [[7, 10], [7, 16]])
        XCTAssertNil(matrix[0].driver.component)

        let bad = """
            version: 1
            rules:
              - {id: a, check: firmware-minimum, severity: high, minimum: {component: mfw, minimum: "8.x"}}
              - {id: b, check: firmware-minimum, severity: high, minimum: {minimum: "8.3"}}
              - {id: c, check: firmware-minimum, severity: high, minimum: {component: mfw, minimum: "8.3", range: ">=1"}}
              - {id: d, check: firmware-minimum, severity: high, minimum: {component: mfw, minimun: "8.3"}}
            """
        XCTAssertThrowsError(try RuleFileParser.parse(bad, path: "c.yaml")) { error in
            XCTAssertEqual((error as? RuleFileErrors)?.errors.map(\.description), [
                "c.yaml:3:89: `minimum`: the bound \"8.x\" of the `mfw` part is not dotted numbers (e.g. 8.37)",
                "c.yaml:4:63: `minimum` needs `component`: the name of one part of the version (e.g. mfw, storm, bc, nvm, combo)",
                "c.yaml:5:63: `minimum` needs exactly one of `minimum` or `range` beside `component`",
                "c.yaml:6:63: `minimum` needs exactly one of `minimum` or `range` beside `component`",
                "c.yaml:6:80: `minimum` as a mapping has `component` and one of `minimum` or `range`",
            ])
        }
    }

    func testBrokenYAMLNamesItsPosition() {
        XCTAssertThrowsError(try RuleFileParser.parse("rules:\n  - id: [unclosed\n", path: "x.yaml")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("x.yaml:3:1: not valid YAML:"), text)
        }
        XCTAssertThrowsError(try RuleFileParser.parse("- just a list", path: "y.yaml")) { error in
            XCTAssertEqual("\(error)", "y.yaml:1:1: a rules file is a mapping with a `rules:` list")
        }
    }
}

extension RuleFileTests {
    /// The shipped rule files validate against the JSON Schema in the repo (python's jsonschema + PyYAML).
    func testShippedFilesValidateAgainstTheSchema() throws {
        let script = """
            import json, sys, yaml, jsonschema
            schema = json.load(open(sys.argv[1]))
            for path in sys.argv[2:]:
                jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(open(path)))
            bad = yaml.safe_load("rules:\\n  - {id: x, check: vf-driver, severity: high}\\n")
            sys.exit(0 if list(jsonschema.Draft202012Validator(schema).iter_errors(bad)) else 3)
            """
        let r = try shell("python3", ["-c", script, rulesDirectory + "/rules.schema.json",
                                       rulesDirectory + "/default.yaml", rulesDirectory + "/examples/fleet-policy.yaml"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    }
}
