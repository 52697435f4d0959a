#if canImport(Glibc)
import Glibc
#endif

/// Runs an installed tool (`ip`, `lspci`) with its standard output going straight into a file, for
/// the human-readable extras of a capture. posix_spawn rather than Foundation's Process keeps
/// Foundation (and ICU) out of the binary.
enum ToolRunner {
    /// The exit status, or nil when the tool could not be started. Standard error goes to
    /// `stderrPath` when given (a tool's complaints, such as iproute2's "Truncated VF list", are
    /// part of the evidence), else nowhere.
    static func run(_ executable: String, _ arguments: [String], stdoutTo path: String, stderrTo stderrPath: String? = nil) -> Int32? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let stderrPath {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment: [UnsafeMutablePointer<CChar>?] = [strdup("LC_ALL=C"), strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { environment.forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawn(&pid, executable, &actions, nil, argv, environment) == 0 else { return nil }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return nil }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil
    }
}
