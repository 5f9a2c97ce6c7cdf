import Foundation
import Postgres
import Synchronization
import Testing
import TestSupport

@Suite struct PoolAndTransactionTests {
    struct Boom: Error {}

    /// How many times a transaction's body ran.
    final class Attempts: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test func throwingBodyRollsBack() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 2)
            try await pool.withConnection { try $0.execute("CREATE TABLE r (id int)") }
            await #expect(throws: Boom.self) {
                try await pool.withTransaction { connection in
                    try connection.query("INSERT INTO r VALUES (1)")
                    throw Boom()
                }
            }
            let committed = try await pool.withTransaction { connection in
                try connection.query("INSERT INTO r VALUES (2)")
                return try connection.query("SELECT count(*) AS n FROM r")[0].decode("n", as: Int64.self)
            }
            #expect(committed == 1)
            let ids = try await pool.withConnection { try $0.query("SELECT id FROM r").map { try $0.decode("id", as: Int.self) } }
            #expect(ids == [2])
            await pool.close()
        }
    }

    @Test func aLastWriteCanCarryTheCommit() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)
            try await pool.withConnection { try $0.execute("CREATE TABLE w (id int PRIMARY KEY); INSERT INTO w VALUES (1)") }
            // Committed by the write itself; the transaction finds nothing left to commit.
            try await pool.withTransaction { connection in
                try connection.query("INSERT INTO w VALUES (2)")
                try connection.queryThenCommit("INSERT INTO w VALUES ($1)", parameters: [3])
                #expect(connection.isIdle)
            }
            // A failing last write: the error is thrown and nothing of the transaction stays.
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    try connection.query("INSERT INTO w VALUES (4)")
                    try connection.queryThenCommit("INSERT INTO w VALUES ($1)", parameters: [1])
                }
            }
            #expect(error?.isUniqueViolation == true)
            // A write that passes but whose COMMIT fails (a deferred constraint): thrown too.
            try await pool.withConnection { try $0.execute("CREATE TABLE d (id int UNIQUE DEFERRABLE INITIALLY DEFERRED); INSERT INTO d VALUES (1)") }
            let deferred = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    try connection.query("INSERT INTO w VALUES (5)")
                    try connection.queryThenCommit("INSERT INTO d VALUES ($1)", parameters: [1])
                }
            }
            #expect(deferred?.isUniqueViolation == true)
            let rows = try await Self.idleAndIDs("w", pool)
            #expect(rows.0 && rows.1 == [1, 2, 3])
            await pool.close()
        }
    }

    @Test func queriesRunInOrderInOneRoundTripAndStopAtTheFirstError() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)
            try await pool.withConnection { try $0.execute("CREATE TABLE q (id int PRIMARY KEY); INSERT INTO q VALUES (1)") }
            // Each statement sees the one before it, as if sent one by one. The queued BEGIN, the
            // three statements and their preparations go in one round trip; COMMIT is the second.
            let (counts, roundTrips) = try await pool.withConnection { connection in
                let before = connection.roundTripCount
                let counts = try connection.transaction { connection in
                    try connection.queries([
                        PostgresStatement("INSERT INTO q VALUES ($1)", 2),
                        PostgresStatement("SELECT count(*) AS n FROM q"),
                        PostgresStatement("INSERT INTO q SELECT max(id) + 1 FROM q RETURNING id"),
                    ]).map { $0.count == 1 ? (try? $0[0].decode(at: 0, as: Int64.self)) : nil }
                }
                return (counts, connection.roundTripCount - before)
            }
            #expect(counts == [nil, 2, 3])
            #expect(roundTrips == 2)
            // The second fails: its error is thrown, the third never runs (the sequence, which a
            // rollback does not undo, did not move), nothing stays.
            try await pool.withConnection { try $0.execute("CREATE SEQUENCE q_seq") }
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    _ = try connection.queries([
                        PostgresStatement("INSERT INTO q VALUES ($1)", 10),
                        PostgresStatement("INSERT INTO q VALUES ($1)", 1),
                        PostgresStatement("SELECT nextval('q_seq')"),
                    ])
                }
            }
            #expect(error?.isUniqueViolation == true)
            let ids = try await Self.idleAndIDs("q", pool)
            #expect(ids.0 && ids.1 == [1, 2, 3])
            #expect(try await !Self.isCalled("q_seq", pool))
            // A statement first prepared in a pipeline that failed before it is prepared again
            // when next used on the connection.
            let fresh = "SELECT count(*) AS n FROM q WHERE id > $1"
            await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    _ = try connection.queries([PostgresStatement("INSERT INTO q VALUES ($1)", 1), PostgresStatement(fresh, 0)])
                }
            }
            let counted = try await pool.withTransaction { connection in
                try connection.queries([PostgresStatement(fresh, 1)])[0][0].decode("n", as: Int64.self)
            }
            #expect(counted == 2)
            await pool.close()
        }
    }

    @Test func sentStatementsGoWithTheNextAndTheirErrorsAreThrownThere() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)
            try await pool.withConnection { try $0.execute("CREATE TABLE s (id int PRIMARY KEY); INSERT INTO s VALUES (1)") }
            // Sent, then read by the next query; a body of sends only is committed by COMMIT.
            let seen = try await pool.withTransaction { connection in
                try connection.send("INSERT INTO s VALUES ($1)", 2)
                return try connection.query("SELECT count(*) AS n FROM s")[0].decode("n", as: Int64.self)
            }
            #expect(seen == 2)
            try await pool.withTransaction { connection in try connection.send("INSERT INTO s VALUES ($1)", 3) }
            // A sent statement that fails is thrown at the next query, which does not run.
            try await pool.withConnection { try $0.execute("CREATE SEQUENCE s_seq") }
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    try connection.send("INSERT INTO s VALUES ($1)", 1)
                    try connection.query("SELECT nextval('s_seq')")
                }
            }
            #expect(error?.isUniqueViolation == true)
            #expect(try await !Self.isCalled("s_seq", pool))
            // ...or at COMMIT, when nothing follows it, or at the write that carries the COMMIT.
            let atCommit = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    try connection.query("INSERT INTO s VALUES ($1)", 5)
                    try connection.send("INSERT INTO s VALUES ($1)", 1)
                }
            }
            #expect(atCommit?.isUniqueViolation == true)
            let withTheWrite = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    try connection.send("INSERT INTO s VALUES ($1)", 1)
                    try connection.queryThenCommit("INSERT INTO s VALUES ($1)", parameters: [7])
                }
            }
            #expect(withTheWrite?.isUniqueViolation == true)
            // A body that throws before anything was sent leaves nothing queued for the next user.
            await #expect(throws: Boom.self) {
                try await pool.withTransaction { connection in
                    try connection.send("INSERT INTO s VALUES ($1)", 6)
                    throw Boom()
                }
            }
            let ids = try await Self.idleAndIDs("s", pool)
            #expect(ids.0 && ids.1 == [1, 2, 3])
            await pool.close()
        }
    }

    @Test func theQueuedBeginKeepsItsIsolationLevel() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)
            let level = try await pool.withTransaction(isolation: .serializable) { connection in
                try connection.query("SELECT current_setting('transaction_isolation') AS level")[0].decode("level", as: String.self)
            }
            #expect(level == "serializable")
            await pool.close()
        }
    }

    @Test func aSwallowedErrorDoesNotPassForACommit() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)
            try await pool.withConnection { try $0.execute("CREATE TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1)") }
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    try connection.query("INSERT INTO u VALUES (2)")
                    _ = try? connection.query("INSERT INTO u VALUES (1)")  // fails, and the caller ignores it
                }
            }
            #expect(error?.message.contains("rolled back") == true)
            let count = try await pool.withConnection { try $0.query("SELECT count(*) AS n FROM u")[0].decode("n", as: Int.self) }
            #expect(count == 1)
            // A body that leaves a transaction open does not hand it to the next user.
            try await pool.withConnection { try $0.execute("BEGIN; INSERT INTO u VALUES (3)") }
            let idle = try await pool.withConnection { connection in
                (connection.isIdle, try connection.query("SELECT count(*) AS n FROM u")[0].decode("n", as: Int.self))
            }
            #expect(idle.0 && idle.1 == 1)
            await pool.close()
        }
    }

    @Test func fiftyTasksShareAPoolOfFour() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 4)
            try await pool.withConnection { try $0.execute("CREATE TABLE hits (pid int)") }
            final class Gauge: Sendable {
                let inFlight = Atomic<Int>(0)
                let peak = Atomic<Int>(0)
            }
            let gauge = Gauge()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            let now = gauge.inFlight.add(1, ordering: .relaxed).newValue
                            gauge.peak.max(now, ordering: .relaxed)
                            defer { gauge.inFlight.subtract(1, ordering: .relaxed) }
                            try connection.query("INSERT INTO hits SELECT pg_backend_pid() FROM pg_sleep(0.01)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let (rows, backends) = try await pool.withConnection { connection in
                let row = try connection.query("SELECT count(*) AS n, count(DISTINCT pid) AS backends FROM hits")[0]
                return (try row.decode("n", as: Int.self), try row.decode("backends", as: Int.self))
            }
            #expect(rows == 50)
            #expect(backends > 1 && backends <= 4, "\(backends) server processes")
            // Shared, not taken in turn: more than one connection was in use at once.
            let peak = gauge.peak.load(ordering: .relaxed)
            #expect(peak > 1 && peak <= 4, "at most \(peak) at once")
            #expect(pool.slotCount <= 4)
            await pool.close()
        }
    }

    @Test func retriesSerializationFailuresWhenAsked() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 8)
            try await pool.withConnection { try $0.execute("CREATE TABLE counter (n int); INSERT INTO counter VALUES (0); CREATE TABLE forced (n int); INSERT INTO forced VALUES (0)") }
            // A conflict made certain: between the first attempt's read and its write, another
            // connection commits an update of the row. Without retry that is the caller's error;
            // with it, the body runs once more and succeeds.
            let conninfo = database.conninfo
            @Sendable func forcedConflict(_ retry: PostgresPool.Retry, _ attempts: Attempts) async throws {
                try await pool.withTransaction(isolation: .serializable, retry: retry) { c in
                    let n = try c.query("SELECT n FROM forced")[0].decode("n", as: Int.self)
                    if attempts.count.add(1, ordering: .relaxed).newValue == 1 {
                        let other = try PostgresConnection(conninfo: conninfo)
                        defer { other.close() }
                        try other.execute("UPDATE forced SET n = n + 1")
                    }
                    try c.query("UPDATE forced SET n = $1", n + 1)
                }
            }
            let unasked = Attempts()
            let refused = await #expect(throws: PostgresError.self) { try await forcedConflict(.none, unasked) }
            #expect(refused?.isRetryableConflict == true && unasked.count.load(ordering: .relaxed) == 1)
            let asked = Attempts()
            try await forcedConflict(.init(retryCountMax: 3), asked)
            #expect(asked.count.load(ordering: .relaxed) == 2)
            let forced = try await pool.withConnection { try $0.query("SELECT n FROM forced")[0].decode("n", as: Int.self) }
            #expect(forced == 3)  // the two others' increments and the retried one
            // Serializable read-modify-write from 8 tasks: conflicts are likely, and retried.
            let attempts = Attempts()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<5 {
                            try await pool.withTransaction(isolation: .serializable, retry: .init(retryCountMax: 50)) { c in
                                attempts.count.add(1, ordering: .relaxed)
                                let n = try c.query("SELECT n FROM counter")[0].decode("n", as: Int.self)
                                try c.query("UPDATE counter SET n = $1", n + 1)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = try await pool.withConnection { try $0.query("SELECT n FROM counter")[0].decode("n", as: Int.self) }
            #expect(total == 40)
            #expect(attempts.count.load(ordering: .relaxed) >= 40)
            await pool.close()
        }
    }

    @Test func waitingPastTheTimeoutFails() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = PostgresPool(.init(conninfo: database.conninfo, connectionCountMax: 1, acquireTimeoutMs: 100))
            // The second caller asks only once the holder has the pool's one connection: a fixed
            // sleep let a loaded machine run it first (and wait for nothing).
            let held = Atomic<Bool>(false)
            async let holder: Void = pool.withConnection { connection in
                held.store(true, ordering: .releasing)
                _ = try connection.query("SELECT pg_sleep(0.5)")
            }
            while !held.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
            let error = await #expect(throws: PostgresError.self) { try await pool.withConnection { _ = try $0.query("SELECT 1") } }
            #expect(error?.kind == .poolTimeout)
            try await holder
            await pool.close()
        }
    }

    @Test func resultsAreClearedAndConnectionsFinished() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let tag = "leakcheck_\(UInt32.random(in: 0...UInt32.max))"
            let conninfo = database.conninfo + " application_name=\(tag)"
            for round in 0..<20 {
                let connection = try PostgresConnection(conninfo: conninfo)
                _ = try connection.query("SELECT generate_series(1, 10) AS n")
                _ = try? connection.query("SELECT 1/0")  // an error result, cleared too
                _ = try? connection.query("SELEC")  // a failed prepare
                do {
                    let rows = try connection.query("SELECT 1 AS one")
                    #expect(connection.liveResultCount == 1)
                    _ = try rows[0].decode("one", as: Int.self)
                }
                #expect(connection.liveResultCount == 0)
                if round.isMultiple(of: 2) { connection.close() }  // else deinit finishes it: both, ten times each
            }
            _ = try? PostgresConnection(conninfo: "host=/nonexistent port=1 dbname=x")
            // Every connection we opened is gone from the server's view.
            let observer = try PostgresConnection(conninfo: database.conninfo)
            defer { observer.close() }
            var remaining = -1
            for _ in 0..<50 {
                remaining = try observer.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1", tag)[0]
                    .decode("n", as: Int.self)
                if remaining == 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(remaining == 0)
        }
    }

    /// Whether the pool's next connection is outside any transaction, and the ids of `table`.
    static func idleAndIDs(_ table: String, _ pool: PostgresPool) async throws -> (Bool, [Int]) {
        try await pool.withConnection { connection in
            (connection.isIdle, try connection.query("SELECT id FROM \(table) ORDER BY id").map { try $0.decode("id", as: Int.self) })
        }
    }

    /// Whether `nextval` was ever called on the sequence (a rollback does not undo it).
    static func isCalled(_ sequence: String, _ pool: PostgresPool) async throws -> Bool {
        try await pool.withConnection { try $0.query("SELECT is_called FROM \(sequence)")[0].decode("is_called", as: Bool.self) }
    }
}
