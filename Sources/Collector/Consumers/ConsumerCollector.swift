import Inventory

/// Reads every VF consumer source present under a root (the running host's `/`, a capture's
/// `files/`, or a copied file system tree) into claims, declarations and the host-level inventory.
///
/// Missing sources are simply absent; a file that cannot be read or parsed is a warning naming
/// it (and the line where the format has lines), and everything else is still read.
struct ConsumerCollector {
    /// Prefix of every host path: "" for the running host.
    var root: String

    struct Result {
        var inventory: ConsumerInventory?
        var claims: [VFConsumer]
        var declarations: [SriovDeclaration]
    }

    /// `dpdkVFs`: the host has VFs on a DPDK driver, so its huge pages matter even when there
    /// are none (that is the finding).
    func collect(dpdkVFs: Bool = false, log: inout WarningLog) -> Result {
        var inventory = ConsumerInventory()
        var declarations: [SriovDeclaration] = []
        var domains: [LibvirtParser.Domain] = []
        var statusDirectoryRead = ReadOnlyFiles.kind(root + "/run/libvirt/qemu") == .directory
        var checkpointClaims: [VFConsumer] = []
        var xenClaims: [VFConsumer] = []
        var poolPosition = 0

        let found = ConsumerFiles.present(root: root)
        for (path, code) in found.unreadable {
            log.add(.unreadable, path, "\(ReadOnlyFiles.describe(errno: code)); its VF consumers are not known")
        }
        for source in found.sources {
            guard case .contents(let bytes) = read(source.path, log: &log) else {
                if source.kind == .libvirtStatus { statusDirectoryRead = false }
                continue
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do throws(ConsumerFileError) {
                switch source.kind {
                case .libvirtDomain, .libvirtStatus:
                    domains.append(try LibvirtParser.domain(text, path: source.path))
                case .libvirtNetwork:
                    if let pool = try LibvirtParser.network(text, path: source.path, position: poolPosition) {
                        inventory.pools.append(pool)
                        poolPosition += 1
                    }
                case .devicePluginConfig:
                    inventory.pools += try KubernetesParser.devicePluginConfig(text, path: source.path)
                case .kubeletCheckpoint:
                    let (claims, registered) = try KubernetesParser.checkpoint(text, path: source.path)
                    checkpointClaims += claims
                    inventory.devices += registered
                case .deviceInfo:
                    if let reference = try KubernetesParser.deviceInfo(text, path: source.path) { inventory.devices.append(reference) }
                case .novaConfig:
                    inventory.novaSpecs += try OpenStackParser.novaSpecs(text, path: source.path)
                case .neutronSriovAgent:
                    inventory.neutron += try OpenStackParser.neutronAgent(text, path: source.path)
                case .osNetConfig:
                    declarations += try DeclaredIntentParser.osNetConfig(text, path: source.path)
                case .nmstate:
                    declarations += try DeclaredIntentParser.nmstate(text, path: source.path)
                case .networkManager:
                    if let declaration = try DeclaredIntentParser.networkManager(text, path: source.path) { declarations.append(declaration) }
                case .hugepages:
                    // The default size only; the sysfs counters below replace it when present.
                    if let pool = try HugepageParser.meminfo(text) { inventory.hugepages = [pool] }
                case .xenDomainConfig:
                    let domain = try XenConfigParser.domain(text, path: source.path)
                    for problem in domain.problems {
                        log.add(.malformed, source.path + (problem.line.map { ":\($0)" } ?? ""), "xen-domain-config: \(problem.reason)")
                    }
                    xenClaims += domain.claims
                case .esxiVFList, .esxiVMProcessList:
                    // ESXi's listings are imported (`import-esxi`), never found on a Linux root.
                    continue
                }
                inventory.sources.append(source)
            } catch {
                log.add(.malformed, source.path + (error.line.map { ":\($0)" } ?? ""), "\(source.kind.rawValue): \(error.reason); not used")
                // A status that cannot be read may be the running guest's: no guest is then "not running".
                if source.kind == .libvirtStatus { statusDirectoryRead = false }
            }
        }

        var counters: [String: String] = [:]
        for path in ConsumerFiles.hugepageFiles(root: root) {
            if case .contents(let bytes) = read(path, log: &log) { counters[path] = String(decoding: bytes, as: UTF8.self) }
        }
        if !counters.isEmpty {
            do throws(ConsumerFileError) {
                let pools = try HugepageParser.pools(counters: counters)
                if !pools.isEmpty {
                    inventory.hugepages = pools
                    if !inventory.sources.contains(where: { $0.kind == .hugepages && $0.path.hasPrefix("/sys/") }) {
                        inventory.sources.append(ConsumerSource(path: "/sys/kernel/mm/hugepages", kind: .hugepages))
                    }
                }
            } catch {
                log.add(.malformed, "/sys/kernel/mm/hugepages", "\(error.reason); huge pages not used")
            }
        }

        let claims = Self.merge(domains: domains, statusKnown: statusDirectoryRead) + Self.mergeSame(checkpointClaims) + Self.mergeSame(xenClaims)
        // Huge pages alone (every Linux host has /proc/meminfo) do not make a consumer inventory
        // unless some are configured or DPDK needs them: otherwise a host with no consumer files has none.
        let onlyMeminfo = inventory.sources.allSatisfy { $0.kind == .hugepages } && inventory.hugepages.allSatisfy { $0.total == 0 } && !dpdkVFs
        if inventory.sources.isEmpty || onlyMeminfo { return Result(inventory: nil, claims: [], declarations: []) }
        return Result(inventory: inventory, claims: claims, declarations: declarations)
    }

    private func read(_ path: String, log: inout WarningLog) -> ReadOnlyFiles.Read {
        let result = ReadOnlyFiles.read(root + path, limit: 16 << 20)
        if case .failed(let code) = result { log.add(.unreadable, path, ReadOnlyFiles.describe(errno: code)) }
        return result
    }

    /// One claim per domain and address: a domain's definition and its live status name the same
    /// VF; the status (what runs) wins where they differ. A claim runs when the status of its
    /// domain lists that device: a device the definition names but the running guest does not hold
    /// (unplugged, or added since it started) is not in use now.
    static func merge(domains: [LibvirtParser.Domain], statusKnown: Bool) -> [VFConsumer] {
        let running = Set(domains.filter(\.isStatus).flatMap { d in d.claims.map { "\($0.owner)@\($0.address)" } })
        var claims = domains.sorted { $0.isStatus && !$1.isStatus }.flatMap(\.claims)
        for i in claims.indices {
            claims[i].running = running.contains("\(claims[i].owner)@\(claims[i].address)") ? true : (statusKnown ? false : nil)
        }
        return mergeSame(claims)
    }

    /// Claims of one owner on one address become one, keeping every source (first values win).
    static func mergeSame(_ claims: [VFConsumer]) -> [VFConsumer] {
        var merged: [VFConsumer] = []
        var index: [String: Int] = [:]
        for claim in claims {
            let key = "\(claim.owner)@\(claim.address)"
            if let i = index[key] {
                for source in claim.sources where !merged[i].sources.contains(source) { merged[i].sources.append(source) }
            } else {
                index[key] = merged.count
                merged.append(claim)
            }
        }
        for i in merged.indices { merged[i].sources.sort() }
        return merged
    }
}
