#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Inventory

/// `migration-ready`: a guest that holds a VF cannot be live-migrated unless the VF has a
/// failover partner — libvirt's `<teaming type='transient'>` (the VF half of a virtio/VF pair)
/// — or Nova's device spec marks the device `live_migratable`. Pods do not migrate and are not
/// judged. A VM on ESXi that holds a VF cannot be vMotioned at all. Reads the VF consumers; a
/// host whose consumers were not read cannot be judged.
enum MigrationCheck {
    static func run(_ rule: Rule, _ host: FactsHost) -> [Finding] {
        guard let facts = host.facts.consumers, facts.readsConsumers else {
            return [rule.unknown(host: host.name, "no VF consumer (libvirt, Nova) was read on this host: cannot judge which guests hold VFs",
                                 hint: "collect as root on the hypervisor, or capture its /etc/libvirt and /run/libvirt")]
        }
        let view = ConsumerView(facts: facts, host: host, rule: rule)
        let migratable = facts.novaSpecs.filter(liveMigratable)
        var findings: [Finding] = []
        var ready = 0
        for vf in view.vfs {
            // vSphere cannot vMotion a VM that holds an SR-IOV passthrough adapter, whatever else it has.
            for claim in view.claimsByAddress[vf.address] ?? [] where claim.kind == .esxiVM {
                findings.append(rule.violation(
                    host: host.name, bdf: vf.address.description,
                    "\(claim.label) holds VF \(vf.address) as an SR-IOV passthrough adapter: vSphere cannot vMotion it",
                    hint: "plan a cold migration, or give the VM a VMXNET3 adapter on the same network and remove the VF before moving it",
                    evidence: ["guest": claim.name, "attachment": claim.attachment]))
            }
            for claim in view.claimsByAddress[vf.address] ?? [] where claim.kind == .libvirtDomain {
                if claim.teaming == "transient" { ready += 1; continue }
                if claim.instanceName != nil, migratable.contains(where: { NovaSpecCheck.matches($0, vf, view) }) { ready += 1; continue }
                findings.append(rule.violation(
                    host: host.name, bdf: vf.address.description,
                    "\(claim.label)\(claim.running == true ? " (running)" : "") holds VF \(vf.address) without a failover pair: it cannot be live-migrated",
                    hint: "pair the VF with a virtio interface (`<teaming type='transient' persistent='ua-…'/>`) or plan a cold migration",
                    evidence: ["guest": claim.name, "teaming": claim.teaming ?? "none"]))
            }
        }
        if findings.isEmpty { findings.append(rule.pass(host: host.name, "\(ready) guest VF(s) with a failover path", evidence: ["ready": String(ready)])) }
        return findings
    }

    /// Nova's `live_migratable` tag ("yes"/"true", any case, or a JSON true) in a device spec.
    static func liveMigratable(_ spec: NovaPCISpec) -> Bool {
        (try? JSONDecoder().decode(Tag.self, from: Data(spec.text.utf8)))?.value ?? false
    }

    private struct Tag: Decodable {
        var value: Bool
        enum Keys: String, CodingKey { case liveMigratable = "live_migratable" }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            if let b = try? c.decode(Bool.self, forKey: .liveMigratable) {
                value = b
            } else {
                value = ["yes", "true", "1"].contains((try c.decodeIfPresent(String.self, forKey: .liveMigratable) ?? "").lowercased())
            }
        }
    }
}
