import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn and waitpid, for programs that leave a daemon behind.
///
/// Foundation's Process learns that a child ended through a descriptor the child inherits; the
/// server that `pg_ctl start` leaves running inherits it too, so Process would wait forever.
/// Here the child gets only stdin (/dev/null) and stdout/stderr (a file): every other open
/// descriptor is marked close-on-exec first (harmless to this process, which never execs).
enum ChildProcess {
    /// How a program ended and what it printed (standard output and error together).
    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs `executable` with `arguments` (argv, name first) and waits for it.
    static func run(executable: String, arguments: [String]) throws -> Result {
        // A file, not a pipe: a daemon the program leaves behind would hold a pipe open forever.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("techmarket-child-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = try spawnAndWait(executable: executable, arguments: arguments, outputPath: output.path)
        return Result(status: status, output: (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    private static func spawnAndWait(executable: String, arguments: [String], outputPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        markDescriptorsCloseOnExec()
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        let environmentStrings = environment.map { "\($0.key)=\($0.value)" }
        // Threads of this process block signals (Dispatch does); a child would inherit that mask,
        // and pgbench -T, for one, would never see its SIGALRM. Children start with none blocked
        // and default handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let status = withCStrings(arguments) { argv in
            withCStrings(environmentStrings) { envp in
                posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            }
        }
        guard status == 0 else {
            throw EmbeddedPostgresError.commandFailed(command: executable, output: String(cString: strerror(status)))
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 {
            guard errno == EINTR else {
                throw EmbeddedPostgresError.commandFailed(command: executable, output: "waitpid: \(String(cString: strerror(errno)))")
            }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
        let signal = waitStatus & 0x7f
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal
    }

    private static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let descriptor = Int32(entry), descriptor > 2 else { continue }
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0, flags & FD_CLOEXEC == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
