import Inventory
import Yams

/// One mistake in a rules file, with its position.
public struct RuleFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int
    public var message: String

    /// `FILE:LINE:COL: message`, the form editors and CI logs link.
    public var description: String { "\(path):\(line):\(column): \(message)" }
}

/// All the mistakes of a rules file at once.
public struct RuleFileErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [RuleFileError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Reads a rules file (YAML) into a ``RuleSet``.
///
/// Every mistake is collected with its line and column, and reported together: fixing a rules
/// file one error per run is how operators learn to distrust a tool.
public enum RuleFileParser {
    public static func parse(_ text: String, path: String) throws -> RuleSet {
        var errors: [RuleFileError] = []
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw RuleFileErrors(errors: [yamlError(error, path: path)])
        }
        guard let root, case .mapping(let top) = root else {
            throw RuleFileErrors(errors: [RuleFileError(path: path, line: 1, column: 1, message: "a rules file is a mapping with a `rules:` list")])
        }
        var context = Context(path: path)
        var rules: [Rule] = []
        var rulesSeen = false
        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            switch key {
            case "version":
                if value.int != 1 { context.error(value, "only rules file version 1 is known") }
            case "rules":
                rulesSeen = true
                guard case .sequence(let list) = value else {
                    context.error(value, "`rules` must be a list of rules")
                    continue
                }
                var ids: [String: Int] = [:]
                for item in list {
                    // Duplicates are found on every rule, also on ones with other mistakes.
                    if case .mapping(let map) = item, let idNode = map["id"], let id = idNode.string {
                        if let first = ids[id] {
                            context.error(item, "duplicate rule id `\(id)` (first at line \(first))")
                        } else {
                            ids[id] = item.mark?.line ?? 1
                        }
                    }
                    if let rule = parseRule(item, &context) { rules.append(rule) }
                }
            default:
                let hint = Suggestion.closest(to: key, among: ["version", "rules"]).map { "did you mean `\($0)`?" } ?? "expected `version` or `rules`"
                context.error(keyNode, "unknown key `\(key)` (\(hint))")
            }
        }
        if !rulesSeen { context.error(root, "no `rules:` list") }
        errors = context.errors
        if !errors.isEmpty { throw RuleFileErrors(errors: errors.sorted { ($0.line, $0.column) < ($1.line, $1.column) }) }
        return RuleSet(path: path, rules: rules)
    }

    struct Context {
        let path: String
        var errors: [RuleFileError] = []

        mutating func error(_ node: Node, _ message: String) {
            let mark = node.mark
            errors.append(RuleFileError(path: path, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
        }
    }

    static let commonKeys: Set<String> = ["id", "check", "severity", "description", "select", "controls"]

    static let parameterKeys: [CheckKind: Set<String>] = [
        .iommuEnabled: [], .iommuIsolation: [],
        .vfCapacity: ["max-vfs-per-pf", "max-vfs-per-host", "max-fraction-of-total"],
        .vfDriver: ["allowed-drivers"],
        .macValid: ["zero-mac", "require-locally-administered"],
        .macUnique: ["scope", "key"],
        .vlanAllowed: ["vlans", "max-qos"],
        .vlanConflict: ["scope", "owner-label", "owners"],
        .vfSecurity: ["exempt"],
        .firmwareAligned: ["scope", "compare-driver"],
        .firmwareMinimum: ["minimum"], .driverMinimum: ["minimum"],
        .driverFirmwareCompat: ["matrix"],
        .vfConsumer: ["allow-idle"], .consumerConfig: ["stale-settings"], .devicePluginPool: [], .novaDeviceSpec: [],
        .dpdkHugepages: ["page-size-kb", "drivers"],
        .vfCounters: ["max-drop-ratio", "max-error-ratio", "min-packets"], .offloadAligned: ["scope", "require", "forbid"],
        .vfRate: ["max-tx-rate"], .firmwarePending: [], .eswitchMode: ["mode"], .migrationReady: [],
    ]

    private static func parseRule(_ node: Node, _ c: inout Context) -> Rule? {
        guard case .mapping(let map) = node else {
            c.error(node, "a rule is a mapping with `id`, `check` and `severity`")
            return nil
        }
        let position = SourcePosition(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        var values: [String: Node] = [:]
        for (k, v) in map {
            guard let key = k.string else { c.error(k, "rule keys are names"); continue }
            values[key] = v
        }
        let before = c.errors.count
        var id: String?
        if let n = values["id"] {
            if let s = n.string, !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) { id = s } else {
                c.error(n, "`id` must be a word of letters, digits, `-`, `_` or `.`")
            }
        } else {
            c.error(node, "rule has no `id`")
        }
        var check: CheckKind?
        if let n = values["check"] {
            if let s = n.string, let kind = CheckKind(rawValue: s) { check = kind } else {
                let known = CheckKind.allCases.map(\.rawValue)
                let hint = Suggestion.closest(to: n.string ?? "", among: known).map { "did you mean `\($0)`?" }
                    ?? "known: \(known.joined(separator: ", "))"
                c.error(n, "unknown check `\(n.string ?? "?")` (\(hint))")
            }
        } else {
            c.error(node, "rule \(id.map { "`\($0)` " } ?? "")has no `check`")
        }
        var severity: Severity?
        if let n = values["severity"] {
            if let s = n.string, let value = Severity(rawValue: s) { severity = value } else {
                let hint = Suggestion.closest(to: n.string ?? "", among: Severity.allCases.map(\.rawValue)).map { "did you mean `\($0)`? " } ?? ""
                c.error(n, "unknown severity `\(n.string ?? "?")` (\(hint)info, low, medium, high, critical)")
            }
        } else if check == .migrationReady {
            severity = .low  // a guest that cannot move is a planning fact, not an outage
        } else {
            c.error(node, "rule \(id.map { "`\($0)` " } ?? "")has no `severity`")
        }
        let selector = values["select"].map { parseSelector($0, &c) } ?? Selector()
        let controls = values["controls"].map { parseControls($0, &c) } ?? ControlMapping()
        var parameters = CheckParameters.none
        if let check {
            let allowed = commonKeys.union(parameterKeys[check] ?? [])
            for (k, _) in map {
                if let key = k.string, !allowed.contains(key) {
                    c.error(k, "`\(key)` is not a parameter of `\(check.rawValue)`\(Suggestion.phrase(for: key, among: allowed.sorted()))")
                }
            }
            parameters = parseParameters(check, values, node, &c)
        }
        guard c.errors.count == before, let id, let check, let severity else { return nil }
        return Rule(id: id, check: check, severity: severity, description: values["description"]?.string,
                    selector: selector, parameters: parameters, position: position, controls: controls)
    }

    static func parseSelector(_ node: Node, _ c: inout Context) -> Selector {
        var s = Selector()
        guard case .mapping(let map) = node else {
            c.error(node, "`select` is a mapping (vendor, device, subsystem, model, driver, pf, labels)")
            return s
        }
        for (k, v) in map {
            switch k.string ?? "" {
            case "vendor": s.vendors = hexIDs(v, "vendor", &c)
            case "device": s.devices = hexIDs(v, "device", &c)
            case "subsystem":
                for item in strings(v, "subsystem", &c) {
                    let parts = item.lowercased().split(separator: ":")
                    if parts.count == 2, parts.allSatisfy({ isHexID(String($0)) }) { s.subsystems.append(item.lowercased()) } else {
                        c.error(v, "`subsystem` wants VENDOR:DEVICE in hex (`15b3:0041`), not `\(item)`")
                    }
                }
            case "model": s.model = scalar(v, "model", &c)
            case "driver": s.drivers = strings(v, "driver", &c)
            case "pf": s.pf = scalar(v, "pf", &c)
            case "labels":
                guard case .mapping(let labels) = v else { c.error(v, "`labels` is a mapping of label to value"); continue }
                for (lk, lv) in labels {
                    if let key = lk.string, let value = lv.string { s.labels[key] = value } else { c.error(lk, "labels are `key: value` strings") }
                }
            default:
                let known = ["vendor", "device", "subsystem", "model", "driver", "pf", "labels"]
                let hint = Suggestion.closest(to: k.string ?? "", among: known).map { "did you mean `\($0)`? " } ?? ""
                c.error(k, "unknown selector `\(k.string ?? "?")` (\(hint)\(known.joined(separator: ", ")))")
            }
        }
        return s
    }

    private static func parseParameters(_ check: CheckKind, _ v: [String: Node], _ rule: Node, _ c: inout Context) -> CheckParameters {
        switch check {
        case .iommuEnabled, .iommuIsolation:
            return .none
        case .vfCapacity:
            let perPF = v["max-vfs-per-pf"].flatMap { count($0, "max-vfs-per-pf", &c) }
            let perHost = v["max-vfs-per-host"].flatMap { count($0, "max-vfs-per-host", &c) }
            var fraction: Double?
            if let n = v["max-fraction-of-total"] {
                if let d = n.string.flatMap(Double.init), d > 0, d <= 1 { fraction = d } else { c.error(n, "`max-fraction-of-total` is a number in (0, 1]") }
            }
            return .vfCapacity(maxPerPF: perPF, maxPerHost: perHost, maxFractionOfTotal: fraction)
        case .vfDriver:
            guard let n = v["allowed-drivers"] else { c.error(rule, "`vf-driver` needs `allowed-drivers`"); return .none }
            let drivers = strings(n, "allowed-drivers", &c)
            if drivers.isEmpty { c.error(n, "`allowed-drivers` is empty") }
            return .vfDriver(allowed: drivers)
        case .macValid:
            var policy = ZeroMACPolicy.netdev
            if let n = v["zero-mac"] {
                if let p = n.string.flatMap(ZeroMACPolicy.init) { policy = p } else { c.error(n, "`zero-mac` is netdev, always or never") }
            }
            return .macValid(forbidZero: policy, requireLocallyAdministered: v["require-locally-administered"].flatMap { bool($0, "require-locally-administered", &c) } ?? false)
        case .macUnique:
            var withVLAN = false
            if let n = v["key"] {
                switch n.string {
                case "mac": withVLAN = false
                case "mac+vlan": withVLAN = true
                default: c.error(n, "`key` is mac or mac+vlan")
                }
            }
            return .macUnique(scope: scope(v["scope"], default: .host, &c), withVLAN: withVLAN)
        case .vlanAllowed:
            guard let n = v["vlans"] else { c.error(rule, "`vlan-allowed` needs `vlans` (IDs or ranges like 100-199)"); return .none }
            var ranges: [ClosedRange<Int>] = []
            for item in strings(n, "vlans", &c) {
                let parts = item.split(separator: "-", omittingEmptySubsequences: false).map { Int(String($0).trimmingBlanks) }
                if parts.count == 1, let a = parts[0], (0...4094).contains(a) { ranges.append(a...a) }
                else if parts.count == 2, let a = parts[0], let b = parts[1], a <= b, (0...4094).contains(a), (0...4094).contains(b) { ranges.append(a...b) }
                else { c.error(n, "`\(item)` is not a VLAN ID or range within 0-4094") }
            }
            let maxQoS = v["max-qos"].flatMap { count($0, "max-qos", &c) }
            if let q = maxQoS, q > 7, let n = v["max-qos"] { c.error(n, "`max-qos` is 0 to 7") }
            return .vlanAllowed(ranges: ranges, maxQoS: maxQoS)
        case .vlanConflict:
            var owners: [Int: String] = [:]
            if let n = v["owners"] {
                if case .mapping(let map) = n {
                    for (k, o) in map {
                        if let vlan = k.string.flatMap(Int.init), (1...4094).contains(vlan), let owner = o.string { owners[vlan] = owner } else {
                            c.error(k, "`owners` maps a VLAN ID (1-4094) to an owner name")
                        }
                    }
                } else {
                    c.error(n, "`owners` maps a VLAN ID to an owner name")
                }
            }
            let ownerLabel = v["owner-label"].flatMap { scalar($0, "owner-label", &c) }
            if ownerLabel == nil && owners.isEmpty { c.error(rule, "`vlan-conflict` needs `owner-label` or `owners`") }
            return .vlanConflict(scope: scope(v["scope"], default: .fleet, &c), ownerLabel: ownerLabel, owners: owners)
        case .vfSecurity:
            var exempt: [Selector] = []
            if let n = v["exempt"] {
                if case .sequence(let list) = n { exempt = list.map { parseSelector($0, &c) } } else { c.error(n, "`exempt` is a list of selectors") }
            }
            return .vfSecurity(exempt: exempt)
        case .firmwareAligned:
            return .firmwareAligned(scope: scope(v["scope"], default: .fleet, &c),
                                    driverToo: v["compare-driver"].flatMap { bool($0, "compare-driver", &c) } ?? false)
        case .firmwareMinimum, .driverMinimum:
            guard let n = v["minimum"] else { c.error(rule, "`\(check.rawValue)` needs `minimum`"); return .none }
            guard let range = versionRange(n, "minimum", bareMeansAtLeast: true, &c) else { return .none }
            return .versionMinimum(range)
        case .driverFirmwareCompat:
            guard let n = v["matrix"], case .sequence(let list) = n else {
                c.error(v["matrix"] ?? rule, "`driver-firmware-compat` needs `matrix`: a list of {driver, firmware} ranges")
                return .none
            }
            var entries: [CompatEntry] = []
            for item in list {
                guard case .mapping(let map) = item else { c.error(item, "a matrix entry is {driver: RANGE, firmware: RANGE}"); continue }
                var values: [String: Node] = [:]
                for (k, val) in map {
                    if let key = k.string, ["driver", "firmware", "note"].contains(key) { values[key] = val } else {
                        c.error(k, "a matrix entry has `driver`, `firmware` and an optional `note`")
                    }
                }
                guard let d = values["driver"], let f = values["firmware"] else { c.error(item, "a matrix entry needs `driver` and `firmware`"); continue }
                if let dr = versionRange(d, "driver", bareMeansAtLeast: false, &c), let fr = versionRange(f, "firmware", bareMeansAtLeast: false, &c) {
                    entries.append(CompatEntry(driver: dr, firmware: fr, note: values["note"]?.string))
                }
            }
            return .compatibility(entries)
        case .vfConsumer:
            return .vfConsumer(allowIdle: v["allow-idle"].flatMap { bool($0, "allow-idle", &c) } ?? false)
        case .consumerConfig:
            return .consumerConfig(reportStale: v["stale-settings"].flatMap { bool($0, "stale-settings", &c) } ?? true)
        case .devicePluginPool, .novaDeviceSpec:
            return .none
        case .dpdkHugepages:
            let size = v["page-size-kb"].flatMap { count($0, "page-size-kb", &c) }
            if let size, size < 4, let n = v["page-size-kb"] { c.error(n, "`page-size-kb` is a huge page size in kB (2048, 1048576)") }
            var drivers = AuditFacts.dpdkDrivers
            if let n = v["drivers"] {
                drivers = strings(n, "drivers", &c)
                if drivers.isEmpty { c.error(n, "`drivers` is empty") }
            }
            return .dpdkHugepages(sizeKB: size, drivers: drivers)
        case .vfCounters, .offloadAligned, .vfRate, .firmwarePending, .eswitchMode, .migrationReady:
            return parseHealthParameters(check, v, rule, &c)
        }
    }

    // MARK: - scalars

    static func scalar(_ n: Node, _ name: String, _ c: inout Context) -> String? {
        guard case .scalar(let s) = n else { c.error(n, "`\(name)` is a single value"); return nil }
        return s.string
    }

    static func strings(_ n: Node, _ name: String, _ c: inout Context) -> [String] {
        switch n {
        case .scalar(let s): return [s.string]
        case .sequence(let list):
            return list.compactMap { item in
                guard case .scalar(let s) = item else { c.error(item, "`\(name)` lists single values"); return nil }
                return s.string
            }
        default:
            c.error(n, "`\(name)` is a value or a list of values")
            return []
        }
    }

    private static func isHexID(_ s: String) -> Bool {
        s.count == 4 && s.allSatisfy(\.isHexDigit)
    }

    private static func hexIDs(_ n: Node, _ name: String, _ c: inout Context) -> [String] {
        strings(n, name, &c).compactMap { raw in
            let s = raw.lowercased().hasPrefix("0x") ? String(raw.dropFirst(2)).lowercased() : raw.lowercased()
            guard isHexID(s) else { c.error(n, "`\(name)` wants 4 hex digits (`8086`), not `\(raw)`"); return nil }
            return s
        }
    }

    static func count(_ n: Node, _ name: String, _ c: inout Context) -> Int? {
        guard let value = n.string.flatMap({ Int($0) }), value >= 0 else { c.error(n, "`\(name)` is a whole number, 0 or more"); return nil }
        return value
    }

    static func bool(_ n: Node, _ name: String, _ c: inout Context) -> Bool? {
        switch n.string {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: c.error(n, "`\(name)` is true or false"); return nil
        }
    }

    static func scope(_ n: Node?, default value: Scope, _ c: inout Context) -> Scope {
        guard let n else { return value }
        switch n.string {
        case "host": return .host
        case "fleet": return .fleet
        case let s? where s.hasPrefix("label:") && s.count > 6: return .label(String(s.dropFirst(6)))
        default:
            c.error(n, "`scope` is host, fleet or label:NAME (e.g. label:l2-domain)")
            return value
        }
    }

    /// A version range: `">=22.36.1010"`, or for one named part of a multi-part string
    /// `{component: mfw, minimum: 8.37}` / `{component: mfw, range: ">=8.37 <8.60"}`.
    private static func versionRange(_ n: Node, _ name: String, bareMeansAtLeast: Bool, _ c: inout Context) -> VersionRange? {
        var component: String?
        var textNode = n
        var atLeast = bareMeansAtLeast
        if case .mapping(let map) = n {
            var values: [String: Node] = [:]
            for (k, v) in map {
                guard let key = k.string, ["component", "minimum", "range"].contains(key) else {
                    c.error(k, "`\(name)` as a mapping has `component` and one of `minimum` or `range`")
                    continue
                }
                values[key] = v
            }
            guard let part = values["component"]?.string, !part.isEmpty, part.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                c.error(values["component"] ?? n, "`\(name)` needs `component`: the name of one part of the version (e.g. mfw, storm, bc, nvm, combo)")
                return nil
            }
            switch (values["minimum"], values["range"]) {
            case (let node?, nil): textNode = node; atLeast = true
            case (nil, let node?): textNode = node; atLeast = false
            default:
                c.error(n, "`\(name)` needs exactly one of `minimum` or `range` beside `component`")
                return nil
            }
            component = part
        }
        guard let text = textNode.string else { c.error(textNode, "`\(name)` is a version range like \">=22.36.1010\""); return nil }
        let startsWithOperator = VersionRange.Operator.allCases.contains { text.hasPrefix($0.rawValue) } || text == "*"
        do {
            return try VersionRange(startsWithOperator || !atLeast ? text : ">=" + text, component: component)
        } catch {
            c.error(textNode, "`\(name)`: \(error)")
            return nil
        }
    }

    static func yamlError(_ error: YamlError, path: String) -> RuleFileError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return RuleFileError(path: path, line: mark.line, column: mark.column, message: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return RuleFileError(path: path, line: context.mark.line, column: context.mark.column,
                                 message: "duplicate keys \(duplicates.joined(separator: ", "))")
        default:
            return RuleFileError(path: path, line: 1, column: 1, message: "not valid YAML: \(error)")
        }
    }
}
