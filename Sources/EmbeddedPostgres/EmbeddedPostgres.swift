import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster in a folder of its own, reached over a Unix socket inside it.
///
/// Layout under `directory`: `data/` (PGDATA), `socket/` (the socket), `postgres.log`. When the
/// process runs as root, initdb and the server run as the `postgres` user, since initdb refuses
/// root; if that user cannot reach `directory`, the cluster lives in /tmp instead, under a name
/// derived from `directory`, so that one folder always means one cluster.
public struct EmbeddedPostgres: Sendable {
    /// How long `start` waits for the server to accept connections.
    public static let startTimeoutSeconds = 60
    /// The superuser the cluster is created with.
    public static let superuser = "postgres"

    public let requestedDirectory: URL
    /// Where the cluster really is (differs from `requestedDirectory` only in the root fallback).
    public let directory: URL
    public let port: Int
    /// Fast but not crash-safe settings (fsync off), for tests and benchmarks.
    public let isDurable: Bool
    public let binaries: Binaries

    /// Finds the PostgreSQL binaries and decides where the cluster lives; creates nothing yet.
    /// `shared_buffers`, PostgreSQL's page cache; a benchmark sizes it to hold its data.
    public let sharedBuffers: String

    public init(directory: URL, port: Int = 5432, durable: Bool = true, sharedBuffers: String = "256MB") throws {
        self.sharedBuffers = sharedBuffers
        self.requestedDirectory = directory.standardizedFileURL
        self.port = port
        self.isDurable = durable
        self.binaries = try Binaries.locate()
        self.directory = try Self.usableDirectory(for: requestedDirectory)
    }

    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    /// A Unix socket's path may hold at most 107 bytes; past this the socket lives in /tmp.
    static let socketPathLengthMax = 100

    /// `socket/` in the cluster folder, or, when the folder's path is too long for a Unix socket,
    /// a folder in /tmp named after it (the same one for every process).
    public var socketDirectory: URL {
        let inside = directory.appendingPathComponent("socket")
        if (inside.path + "/.s.PGSQL.\(port)").utf8.count <= Self.socketPathLengthMax { return inside }
        return URL(fileURLWithPath: "/tmp/techmarket-socket-\(Self.pathHash(directory.path))")
    }

    /// FNV-1a of a path, hex: stable across runs and processes.
    static func pathHash(_ path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
    public var logFile: URL { directory.appendingPathComponent("postgres.log") }

    /// A libpq connection string for `database` on this cluster.
    public func conninfo(database: String = "postgres") -> String {
        func quoted(_ value: String) -> String {
            "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        return "host=\(quoted(socketDirectory.path)) port=\(port) user=\(Self.superuser) dbname=\(quoted(database))"
    }

    /// True when the data folder holds an initialised cluster.
    public var isInitialized: Bool {
        FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path)
    }

    /// True when a server is running on this data folder.
    public var isRunning: Bool {
        guard isInitialized else { return false }
        return (try? run(binaries.pgCtl, ["status", "-D", dataDirectory.path]))?.status == 0
    }

    /// Creates the cluster if needed and starts it if it is not running; waits until it accepts
    /// connections. Calling it again, from this process or another, is harmless.
    public func start() throws {
        try withFileLock {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
            try handToServerUser(directory)
            try handToServerUser(socketDirectory)
            if !isInitialized { try initialize() }
            if isRunning { return }
            try startServer()
        }
    }

    /// Stops the server (fast shutdown: open sessions are ended). Harmless when it is not running.
    public func stop() throws {
        try withFileLock {
            guard isRunning else { return }
            let result = try run(binaries.pgCtl, ["stop", "-D", dataDirectory.path, "-m", "fast", "-w", "-t", "\(Self.startTimeoutSeconds)"])
            guard result.status == 0 else {
                throw EmbeddedPostgresError.commandFailed(command: "pg_ctl stop", output: result.output)
            }
        }
    }

    /// Runs a PostgreSQL client program of the same installation (pgbench, psql) as this user,
    /// pointed at this cluster; returns its exit status and what it printed.
    public func runClient(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let candidates = [binaries.directory.resolvingSymlinksInPath().path, binaries.directory.path]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted().reversed()
            .map { "/usr/lib/postgresql/\($0)/bin" }
        // initdb in PATH may be a link into the real folder, which also holds the client programs.
        let linked = binaries.initdb.resolvingSymlinksInPath().deletingLastPathComponent().path
        guard let path = ([linked] + candidates).map({ ($0 as NSString).appendingPathComponent(program) })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw EmbeddedPostgresError.commandFailed(command: program, output: "\(program) not found; install it with: apt-get install -y postgresql-contrib")
        }
        let result = try ChildProcess.run(
            executable: path, arguments: [program, "-h", socketDirectory.path, "-p", "\(port)", "-U", Self.superuser] + arguments)
        return (result.status, result.output)
    }

    // MARK: - Steps

    private func initialize() throws {
        if FileManager.default.fileExists(atPath: dataDirectory.path) {
            // A folder left by an initdb that did not finish: initdb refuses a non-empty folder.
            try FileManager.default.removeItem(at: dataDirectory)
        }
        let result = try run(
            binaries.initdb,
            ["-D", dataDirectory.path, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"]
        )
        guard result.status == 0 else {
            throw EmbeddedPostgresError.commandFailed(command: "initdb", output: result.output)
        }
    }

    private func startServer() throws {
        // pg_ctl hands these to a shell, hence the single quotes.
        var settings = [
            "-k '\(socketDirectory.path)'", "-p \(port)", "-c listen_addresses=''",
            "-c max_connections=200", "-c shared_buffers=\(sharedBuffers)",
        ]
        if !isDurable {
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        }
        let options = settings.joined(separator: " ")
        let result = try run(
            binaries.pgCtl,
            ["start", "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "\(Self.startTimeoutSeconds)", "-o", options]
        )
        guard result.status == 0 else {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
            throw EmbeddedPostgresError.commandFailed(command: "pg_ctl start", output: result.output + "\n" + log)
        }
    }

    // MARK: - Running as the server's user

    private static var isRoot: Bool { geteuid() == 0 }

    /// When root, a folder the `postgres` user can reach: the requested one, or one in /tmp.
    private static func usableDirectory(for requested: URL) throws -> URL {
        guard isRoot else { return requested }
        guard getpwnam(superuser) != nil else { throw EmbeddedPostgresError.noServerUser }
        if canServerUserReach(requested.deletingLastPathComponent()) { return requested }
        return URL(fileURLWithPath: "/tmp/techmarket-postgres-\(pathHash(requested.path))")
    }

    /// True when every ancestor of `folder` that exists lets others through.
    private static func canServerUserReach(_ folder: URL) -> Bool {
        var path = folder.path
        while true {
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IXOTH == 0 { return false }
            if path == "/" || path.isEmpty { return true }
            path = (path as NSString).deletingLastPathComponent
        }
    }

    private func handToServerUser(_ folder: URL) throws {
        guard Self.isRoot, let user = getpwnam(Self.superuser) else { return }
        if chown(folder.path, user.pointee.pw_uid, user.pointee.pw_gid) != 0 {
            throw EmbeddedPostgresError.commandFailed(command: "chown \(folder.path)", output: String(cString: strerror(errno)))
        }
        chmod(folder.path, 0o700)
    }

    /// Runs a PostgreSQL program, as the `postgres` user when this process is root.
    private func run(_ program: URL, _ arguments: [String]) throws -> ChildProcess.Result {
        let argv: [String]
        // env -C /: the server's user may not be allowed into our working directory.
        if Self.isRoot {
            argv = ["env", "-C", "/", try Binaries.runuser().path, "-u", Self.superuser, "--", program.path] + arguments
        } else {
            argv = ["env", "-C", "/", program.path] + arguments
        }
        return try ChildProcess.run(executable: "/usr/bin/env", arguments: argv)
    }

    /// Serialises start and stop across threads and processes that share this cluster.
    private func withFileLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        let lockPath = directory.path + ".lock"
        let descriptor = open(lockPath, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else {
            throw EmbeddedPostgresError.commandFailed(command: "open \(lockPath)", output: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw EmbeddedPostgresError.commandFailed(command: "flock \(lockPath)", output: String(cString: strerror(errno)))
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}

extension EmbeddedPostgres {
    /// The PostgreSQL server programs: initdb, pg_ctl and postgres, from one folder.
    public struct Binaries: Sendable {
        public let directory: URL
        public var initdb: URL { directory.appendingPathComponent("initdb") }
        public var pgCtl: URL { directory.appendingPathComponent("pg_ctl") }
        public var postgres: URL { directory.appendingPathComponent("postgres") }

        /// Looks in `$TECHMARKET_PG_BINDIR`, `$PATH`, then `pg_config --bindir`, then
        /// /usr/lib/postgresql/*/bin (newest first).
        public static func locate(
            environment: [String: String] = ProcessInfo.processInfo.environment,
            pgConfigPaths: [String] = ["/usr/bin/pg_config", "/usr/local/bin/pg_config"],
            versionedRoot: String = "/usr/lib/postgresql"
        ) throws -> Binaries {
            var candidates: [String] = []
            if let explicit = environment["TECHMARKET_PG_BINDIR"], !explicit.isEmpty {
                candidates.append(explicit)
            }
            candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
            if let bindir = pgConfigBindir(pgConfigPaths) { candidates.append(bindir) }
            let versioned = (try? FileManager.default.contentsOfDirectory(atPath: versionedRoot)) ?? []
            candidates += versioned.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(versionedRoot)/\($0)/bin" }
            for folder in candidates {
                let programs = ["initdb", "pg_ctl", "postgres"].map { (folder as NSString).appendingPathComponent($0) }
                if programs.allSatisfy({ FileManager.default.isExecutableFile(atPath: $0) }) {
                    return Binaries(directory: URL(fileURLWithPath: folder))
                }
            }
            throw EmbeddedPostgresError.binariesNotFound(searched: candidates)
        }

        private static func pgConfigBindir(_ paths: [String]) -> String? {
            for pgConfig in paths where FileManager.default.isExecutableFile(atPath: pgConfig) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: pgConfig)
                process.arguments = ["--bindir"]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                guard (try? process.run()) != nil else { continue }
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if process.terminationStatus == 0, !path.isEmpty { return path }
            }
            return nil
        }

        static func runuser() throws -> URL {
            for path in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
            where FileManager.default.isExecutableFile(atPath: path) {
                return URL(fileURLWithPath: path)
            }
            throw EmbeddedPostgresError.noRunuser
        }
    }
}

/// Why the embedded cluster could not be set up.
public enum EmbeddedPostgresError: Error, CustomStringConvertible, Sendable {
    case binariesNotFound(searched: [String])
    case noServerUser
    case noRunuser
    case commandFailed(command: String, output: String)

    public var description: String {
        switch self {
        case .binariesNotFound(let searched):
            return """
                PostgreSQL server programs (initdb, pg_ctl, postgres) not found; searched \(searched.joined(separator: ", ")).
                Install them with: apt-get install -y postgresql   (or set TECHMARKET_PG_BINDIR)
                """
        case .noServerUser:
            return "running as root, but there is no 'postgres' user to run the server as; install the postgresql package (apt-get install -y postgresql), which creates it"
        case .noRunuser:
            return "running as root, but runuser (util-linux) is missing, so initdb cannot run as 'postgres'"
        case .commandFailed(let command, let output):
            return "\(command) failed:\n\(output)"
        }
    }
}
