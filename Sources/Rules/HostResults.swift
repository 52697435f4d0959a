import CZlib
import Inventory

/// One host's per-host findings, by rule position: every per-host check's, and what each fleet
/// check finds on the host alone (a partial VF table, a VLAN its owner may not use). Pure: it
/// needs no other host, so the engine works it out on every core and keeps it in the store.
struct HostResults: Sendable {
    var perRule: [[Finding]]

    static func evaluate(_ rules: RuleSet, _ host: FactsHost) -> HostResults {
        HostResults(perRule: rules.rules.map { rule in
            let gate = PlatformGate.verdict(rule, host)
            guard gate.runs else { return gate.findings }
            return gate.findings + (FleetRule.isFleet(rule.check) ? FleetDirect.findings(rule, host) : HostChecks.run(rule, host))
        })
    }

    /// The stored form: per rule, its findings' status, device, message, hint and evidence (the
    /// rule's id, kind and severity come from the rules, the host's name from the audit),
    /// deflated (zlib, fast level: a host's messages repeat, and a kept rules file costs about a
    /// fifth of the space), after the plain length.
    func encoded() -> [UInt8] {
        let plain = plainEncoded()
        var out = FactsWriter()
        out.varint(UInt64(plain.count))
        var packed = [UInt8](repeating: 0, count: czlib_compress_bound(plain.count))
        var written = 0
        guard czlib_compress(plain, plain.count, &packed, packed.count, &written, 1) == Int32(CZLIB_OK.rawValue) else {
            return [0] + plain  // zlib out of memory: kept as it is
        }
        return [1] + out.bytes + packed[..<written]
    }

    private func plainEncoded() -> [UInt8] {
        var w = FactsWriter()
        w.int(perRule.count)
        for findings in perRule {
            w.int(findings.count)
            for f in findings {
                w.int(f.status == .pass ? 0 : f.status == .warn ? 1 : 2)
                w.string(f.bdf); w.string(f.message); w.string(f.hint)
                let evidence = f.evidence.sorted { $0.key < $1.key }
                w.int(evidence.count)
                for (key, value) in evidence { w.string(key); w.string(value) }
            }
        }
        return w.bytes
    }

    init(perRule: [[Finding]]) {
        self.perRule = perRule
    }

    init(decoding stored: [UInt8], rules: RuleSet, host: String) throws(FactsDecodingError) {
        guard let form = stored.first else { throw FactsDecodingError(reason: "kept results are empty") }
        var bytes = Array(stored.dropFirst())
        if form == 1 {
            var header = FactsReader(bytes)
            let length = Int(try header.varint())
            let start = bytes.count - header.remaining
            guard length <= 64 << 20 else { throw FactsDecodingError(reason: "kept results claim \(length) bytes") }
            var plain = [UInt8](repeating: 0, count: length)
            let rc = bytes.withUnsafeBufferPointer { buffer -> Int32 in
                guard let base = buffer.baseAddress else { return Int32(CZLIB_BAD_DATA.rawValue) }
                return czlib_uncompress(base + start, buffer.count - start, &plain, length)
            }
            guard rc == Int32(CZLIB_OK.rawValue) else { throw FactsDecodingError(reason: "kept results do not inflate") }
            bytes = plain
        } else if form != 0 {
            throw FactsDecodingError(reason: "kept results of an unknown form \(form)")
        }
        var r = FactsReader(bytes)
        let count = try r.int()
        guard count == rules.rules.count else { throw FactsDecodingError(reason: "kept results for \(count) rules, the rules file has \(rules.rules.count)") }
        perRule = try rules.rules.map { rule throws(FactsDecodingError) in
            try r.array { r throws(FactsDecodingError) in
                let status: Finding.Status = switch try r.int() { case 0: .pass; case 1: .warn; default: .fail }
                let bdf = try r.optionalString(), message = try r.string(), hint = try r.optionalString()
                var evidence: [String: String] = [:]
                for _ in 0..<(try r.int()) { evidence[try r.string()] = try r.string() }
                return Finding(rule: rule, status: status, host: host, bdf: bdf, message: message, hint: hint, evidence: evidence)
            }
        }
        guard r.atEnd else { throw FactsDecodingError(reason: "\(r.remaining) bytes after the kept results") }
    }
}

/// What a fleet check finds on one host alone.
enum FleetDirect {
    static func findings(_ rule: Rule, _ host: FactsHost) -> [Finding] {
        guard rule.selector.matchesLabels(host.labels) else { return [] }
        switch rule.parameters {
        case .macUnique(let scope, let withVLAN):
            // MACs missing from a partial VF table cannot be compared: say so, never pass over them.
            // A host that is a scope of its own (scope host, or no scope label) is compared here,
            // once per content; hosts that share a scope are compared in the database.
            return cannotJudge(rule, host) + (FleetRule.isOwnDomain(host.labels, scope) ? duplicateMACs(rule, host, scope, withVLAN) : [])
        case .vlanConflict(_, let ownerLabel, let owners):
            var findings = cannotJudge(rule, host)
            let hostOwner = ownerLabel.flatMap { host.labels[$0] }
            guard let hostOwner else { return findings }
            for vf in host.vfViews(rule.selector) {
                guard let vlan = vf.config?.vlan, vlan != 0, let assigned = owners[vlan], hostOwner != assigned else { continue }
                findings.append(rule.violation(host: host.name, bdf: vf.bdf, "VLAN \(vlan) belongs to \(assigned) but \(vf.subject) of \(ownerLabel ?? "owner") \(hostOwner) uses it",
                                               hint: "move the VF to one of \(hostOwner)'s VLANs", evidence: ["vlan": String(vlan), "owner": assigned]))
            }
            return findings
        default:
            return []
        }
    }

    /// A MAC used more than once within the host, with every use named (in the order the fleet
    /// query lists uses: VFs' admin then netdev MACs, then physical interfaces). The host's
    /// MACs are keyed once (``FactsHost/macUses``); duplicates are runs of a sort, not lookups.
    private static func duplicateMACs(_ rule: Rule, _ host: FactsHost, _ scope: Scope, _ withVLAN: Bool) -> [Finding] {
        let selected = host.selectedVFs(rule.selector)
        var texts: [String: UInt64] = [:]  // other kinds of address, numbered apart from Ethernet's
        var keys: [(number: UInt64, other: UInt64, vlan: Int, use: Int)] = []
        keys.reserveCapacity(host.macUses.count)
        for (n, use) in host.macUses.enumerated() {
            var vlan = 0
            if use.vf >= 0 {
                guard selected[Int(use.vf)] else { continue }
                if withVLAN { vlan = host.facts.vfs[Int(use.vf)].config?.vlan ?? 0 }
            }
            var other: UInt64 = 0
            if let text = use.text {
                other = texts[text] ?? UInt64(texts.count + 1)
                texts[text] = other
            }
            keys.append((use.number, other, vlan, n))
        }
        keys.sort { ($0.number, $0.other, $0.vlan, $0.use) < ($1.number, $1.other, $1.vlan, $1.use) }
        var findings: [Finding] = []
        let domain = FleetRule.scopeName(scope, "host:\(host.name)")
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count, keys[end].number == keys[start].number, keys[end].other == keys[start].other, keys[end].vlan == keys[start].vlan { end += 1 }
            defer { start = end }
            guard end - start > 1 else { continue }
            let chain = keys[start..<end].map { key -> (place: String, bdf: String?) in
                let use = host.macUses[key.use]
                if use.vf >= 0 {
                    let view = host.vfView(at: Int(use.vf))
                    return ("VF " + view.subject, view.vf.address?.description)
                }
                let interface = host.facts.interfaceMACs[Int(use.interface)]
                return ("interface \(interface.name)", interface.address.description)
            }
            let first = host.macUses[keys[start].use]
            let mac = first.text ?? MACNumber.text(first.number)
            let list = chain.map { "\(host.name) \($0.place)" }.joined(separator: ", ")
            for use in chain {
                findings.append(rule.violation(host: host.name, bdf: use.bdf, "MAC \(mac) is used \(chain.count) times in \(domain): \(list)",
                                               hint: "give each VF and interface its own MAC", evidence: ["mac": mac, "uses": String(chain.count)]))
            }
        }
        return findings
    }

    private static func cannotJudge(_ rule: Rule, _ host: FactsHost) -> [Finding] {
        host.incompleteVFTables(rule.selector).map { rule.cannotJudge(host: host.name, $0, pfAddress: host.pfAddress(of: $0)) }
    }
}
