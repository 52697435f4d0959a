/// The files of a capture folder, as `sriov-audit capture` writes them and as the QEMU harness in
/// `shared/vm` produced them:
///
///     DIR/sysfs/sys/...                  real sysfs paths, symlinks kept
///     DIR/cmd/ip-d-j-link.json           ip -d -j link show
///     DIR/cmd/ip-d-j-link.stderr         optional: its standard error ("Truncated VF list: eth5")
///     DIR/cmd/ethtool-i-IFNAME.txt       ethtool -i IFNAME
///     DIR/cmd/cmdline.txt, uname.txt     /proc/cmdline, uname -a
///     DIR/cmd/hostname.txt               optional
///     DIR/cmd/rtnetlink-getlink.bin      optional: the raw RTM_GETLINK dump (sriov-audit capture)
///     DIR/cmd/rtnetlink-getlink-stats.bin  optional: the raw counter dump (IFLA_STATS64, IFLA_VF_STATS)
///     DIR/cmd/devlink.bin                optional: the raw devlink replies (instances, info, eswitch)
///     DIR/cmd/ethtool-k-IFNAME.txt       optional: ethtool -k IFNAME (offload features)
///     DIR/files/<absolute path>          the VF consumers' files (libvirt, kubelet, Nova, ...), verbatim
///
/// or a copy of a host's file system tree, as ghw snapshots, sosreport-style copies and
/// chroots hold it (no interface list or VF settings then: those come from netlink):
///
///     DIR/sys/...                        sysfs
///     DIR/proc/cmdline, DIR/proc/sys/kernel/{osrelease,hostname}, DIR/etc/hostname   optional
public struct CaptureLayout: Sendable {
    public enum Form: Sendable, Equatable {
        /// `sriov-audit capture` and the QEMU harness: `sysfs/sys` and `cmd/`.
        case capture
        /// A copied file system tree: `sys/`, `proc/`, `etc/`.
        case fileSystemTree
    }

    public let root: String
    public let form: Form

    public init(root: String) {
        let root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.root = root
        form = !ReadOnlyFiles.exists(root + "/sysfs/sys") && ReadOnlyFiles.kind(root + "/sys") == .directory ? .fileSystemTree : .capture
    }

    public var sysfsRoot: String { form == .capture ? root + "/sysfs/sys" : root + "/sys" }
    /// Where a file system tree keeps `/proc` and `/etc`.
    public var procRoot: String { root + "/proc" }
    public var etcRoot: String { root + "/etc" }
    public var commandDirectory: String { root + "/cmd" }
    /// The root under which the VF consumers' files are at their host paths (``ConsumerFiles``):
    /// `files/` of a capture, the tree itself for a copied file system tree.
    public var consumerFilesRoot: String { form == .capture ? root + "/files" : root }
    public var ipLinkJSON: String { commandDirectory + "/ip-d-j-link.json" }
    public var ipLinkStderr: String { commandDirectory + "/ip-d-j-link.stderr" }
    public var uname: String { commandDirectory + "/uname.txt" }
    public var cmdline: String { commandDirectory + "/cmdline.txt" }
    public var hostname: String { commandDirectory + "/hostname.txt" }
    public var rawNetlinkDump: String { commandDirectory + "/rtnetlink-getlink.bin" }
    public var rawCounterDump: String { commandDirectory + "/rtnetlink-getlink-stats.bin" }
    public var rawDevlink: String { commandDirectory + "/devlink.bin" }
    /// When the capture was taken (one ISO 8601 line): its snapshot carries this time, not the
    /// time it happened to be read.
    public var capturedAt: String { commandDirectory + "/captured-at.txt" }

    public func ethtoolInfo(_ interface: String) -> String {
        commandDirectory + "/ethtool-i-\(interface).txt"
    }

    public func ethtoolFeatures(_ interface: String) -> String {
        commandDirectory + "/ethtool-k-\(interface).txt"
    }

    /// The folder's own name: the hostname of last resort.
    public var folderName: String {
        let parts = root.split(separator: "/")
        // `.../host/after` captures are named by their parent when the leaf is a stage name.
        if let last = parts.last, ["before", "after"].contains(last), parts.count >= 2 {
            return String(parts[parts.count - 2])
        }
        return parts.last.map(String.init) ?? "capture"
    }
}
