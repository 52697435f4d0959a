#if canImport(Glibc)
import Glibc
#endif

/// Where the inventory database lives when `--db` is not given.
public enum StoreLocation {
    /// `/var/lib/sriov-audit/inventory.db` for root; otherwise `$XDG_DATA_HOME/sriov-audit/inventory.db`,
    /// else `~/.local/share/sriov-audit/inventory.db`.
    public static func defaultPath(uid: UInt32 = getuid(), environment: [String: String] = currentEnvironment()) -> String {
        if uid == 0 { return "/var/lib/sriov-audit/inventory.db" }
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/sriov-audit/inventory.db" }
        let home = environment["HOME"] ?? "/tmp"
        return home + "/.local/share/sriov-audit/inventory.db"
    }

    public static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        for key in ["XDG_DATA_HOME", "HOME"] {
            if let value = getenv(key) { result[key] = String(cString: value) }
        }
        return result
    }
}
