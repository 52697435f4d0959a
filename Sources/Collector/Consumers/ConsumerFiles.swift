#if canImport(Glibc)
import Glibc
#endif
import Inventory

/// Where the VF consumers' files live on a host: the one list `collect` reads and `capture`
/// copies (to `OUTDIR/files/<absolute path>`).
public enum ConsumerFiles {
    /// Directories whose files of one suffix are read, and what they are.
    static let directories: [(directory: String, suffixes: [String], kind: ConsumerSource.Kind)] = [
        ("/etc/libvirt/qemu", [".xml"], .libvirtDomain),
        ("/run/libvirt/qemu", [".xml"], .libvirtStatus),
        ("/etc/libvirt/qemu/networks", [".xml"], .libvirtNetwork),
        // xl's default config folder; /etc/xen/auto holds the domains xendomains starts at boot.
        ("/etc/xen", [".cfg"], .xenDomainConfig),
        ("/etc/xen/auto", [".cfg"], .xenDomainConfig),
        ("/var/run/k8s.cni.cncf.io/devinfo/dp", [".json"], .deviceInfo),
        ("/var/run/k8s.cni.cncf.io/devinfo/cni", [".json"], .deviceInfo),
        ("/etc/nova/nova.conf.d", [".conf"], .novaConfig),
        ("/etc/nmstate", [".yml", ".yaml", ".applied"], .nmstate),
        ("/etc/NetworkManager/system-connections", [".nmconnection"], .networkManager),
        ("/run/NetworkManager/system-connections", [".nmconnection"], .networkManager),
    ]

    /// Single files.
    static let files: [(path: String, kind: ConsumerSource.Kind)] = [
        ("/etc/pcidp/config.json", .devicePluginConfig),
        ("/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint", .kubeletCheckpoint),
        ("/etc/nova/nova.conf", .novaConfig),
        ("/etc/neutron/plugins/ml2/sriov_agent.ini", .neutronSriovAgent),
        ("/var/lib/os-net-config/sriov_config.yaml", .osNetConfig),
        ("/proc/meminfo", .hugepages),
    ]

    /// Huge page counters: host-wide per size, and per NUMA node.
    static let hugepageCounters = ["nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages"]

    /// What is present under `root` ("" for the running host): the source files as host paths,
    /// sorted within each source (`root + path` is where each is read), and the files and folders
    /// that exist but cannot be looked into (a user without the rights to /etc/libvirt/qemu).
    public struct Found: Sendable {
        public var sources: [ConsumerSource] = []
        public var unreadable: [(path: String, errno: Int32)] = []
    }

    public static func present(root: String) -> Found {
        var found = Found()
        for (path, kind) in files {
            switch ReadOnlyFiles.regularFileStatus(root + path) {
            case 0: found.sources.append(ConsumerSource(path: path, kind: kind))
            case ENOENT, ENOTDIR: break
            case let code: found.unreadable.append((path, code))
            }
        }
        for (directory, suffixes, kind) in directories {
            let (entries, code) = ReadOnlyFiles.list(root + directory)
            guard let entries else {
                // A folder inside one already unreadable is not news (`qemu/networks` under `qemu`).
                if code != ENOENT && code != ENOTDIR && !found.unreadable.contains(where: { directory.hasPrefix($0.path + "/") }) {
                    found.unreadable.append((directory, code))
                }
                continue
            }
            for name in entries.sorted() where suffixes.contains(where: name.hasSuffix) {
                let path = directory + "/" + name
                if ReadOnlyFiles.regularFileStatus(root + path) == 0 { found.sources.append(ConsumerSource(path: path, kind: kind)) }
            }
        }
        return found
    }

    /// The huge page counter files under `root`: `/sys/kernel/mm/hugepages/hugepages-NkB/*` and
    /// `/sys/devices/system/node/nodeN/hugepages/hugepages-NkB/*`.
    public static func hugepageFiles(root: String) -> [String] {
        var out: [String] = []
        let scan = { (directory: String) in
            for size in (ReadOnlyFiles.list(root + directory).entries ?? []).sorted() where size.hasPrefix("hugepages-") {
                for counter in hugepageCounters where ReadOnlyFiles.kind(root + directory + "/" + size + "/" + counter) == .regular {
                    out.append(directory + "/" + size + "/" + counter)
                }
            }
        }
        scan("/sys/kernel/mm/hugepages")
        for node in (ReadOnlyFiles.list(root + "/sys/devices/system/node").entries ?? []).sorted()
        where node.hasPrefix("node") && Int(node.dropFirst(4)) != nil {
            scan("/sys/devices/system/node/\(node)/hugepages")
        }
        return out
    }
}
