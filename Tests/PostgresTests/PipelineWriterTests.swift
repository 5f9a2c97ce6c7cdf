import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct PipelineWriterTests {
    /// Submits units from one actor and notes the order in which they reached the writer.
    actor Submitter {
        let writer: PostgresPipelineWriter
        private(set) var submitted: [Int] = []

        init(_ writer: PostgresPipelineWriter) { self.writer = writer }

        /// Submits unit `n`; true when it committed.
        func send(_ n: Int, _ statements: [PostgresPipelineWriter.Statement]) async -> Bool {
            do {
                try await withCheckedThrowingContinuation { continuation in
                    submitted.append(n)
                    writer.submit(statements, answer: continuation)
                }
                return true
            } catch {
                return false
            }
        }

        /// Submits every unit at once, each from a task of its own; whether each committed, by `n`.
        nonisolated func sendAll(_ units: [(n: Int, statements: [PostgresPipelineWriter.Statement])]) async -> [Int: Bool] {
            await withTaskGroup(of: (Int, Bool).self) { group in
                for unit in units { group.addTask { (unit.n, await self.send(unit.n, unit.statements)) } }
                var answers: [Int: Bool] = [:]
                for await (n, committed) in group { answers[n] = committed }
                return answers
            }
        }
    }

    /// Unit `n` of the log: rows 2n and 2n+1; with `failing`, also row 0 again, so it must fail whole.
    static func logUnit(_ n: Int, failing: Bool) -> [PostgresPipelineWriter.Statement] {
        [("INSERT INTO log (n) VALUES ($1)", [n * 2]), ("INSERT INTO log (n) VALUES ($1)", [n * 2 + 1])]
            + (failing ? [("INSERT INTO log (n) VALUES ($1)", [0])] : [])
    }

    @Test func unitsCommitInTheOrderSubmittedAndAFailedUnitWritesNothing() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)  // the writer's connection is the one checked afterwards
            try await pool.withConnection { try $0.execute("CREATE TABLE log (n int PRIMARY KEY, at bigserial)") }
            let writer = PostgresPipelineWriter(pool: pool)
            let submitter = Submitter(writer)
            #expect(await submitter.send(0, Self.logUnit(0, failing: false)))  // rows 0 and 1
            // 200 more at once; every tenth fails on row 0 and must leave nothing of itself.
            let answers = await submitter.sendAll((1...200).map { ($0, Self.logUnit($0, failing: $0 % 10 == 0)) })
            #expect(answers.filter { !$0.value }.keys.sorted() == Array(stride(from: 10, through: 200, by: 10)))
            let rows = try await pool.withConnection { connection in
                try connection.query("SELECT n FROM log ORDER BY at").map { try $0.decode("n", as: Int.self) }
            }
            let order = await submitter.submitted.filter { $0 % 10 != 0 || $0 == 0 }
            #expect(rows == order.flatMap { [$0 * 2, $0 * 2 + 1] })
            // Idle, the writer gave its connection back clean (out of pipeline mode, which
            // would refuse this plain query); it starts again on the next unit.
            let count = try await pool.withConnection { connection in
                (connection.isIdle, try connection.query("SELECT count(*) AS n FROM log")[0].decode("n", as: Int.self))
            }
            #expect(count.0 && count.1 == rows.count)
            try await writer.run([("INSERT INTO log (n) VALUES ($1)", [1_000])])
            let error = await #expect(throws: PostgresError.self) { try await writer.run([("INSERT INTO log (n) VALUES ($1)", [1_000])]) }
            #expect(error?.isUniqueViolation == true)
            await pool.close()
        }
    }

    @Test func aStatementFirstUsedInAFailedUnitIsPreparedAgain() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)
            try await pool.withConnection { try $0.execute("CREATE TABLE t (n int PRIMARY KEY); INSERT INTO t VALUES (1)") }
            let writer = PostgresPipelineWriter(pool: pool)
            let fresh = "INSERT INTO t (n) SELECT $1::int"
            // The first statement fails as it is prepared (no such table); the server then skips
            // the rest of the unit, the second statement's preparation included, which must not
            // stay counted as prepared.
            await #expect(throws: PostgresError.self) {
                try await writer.run([("INSERT INTO no_such_table (n) VALUES ($1)", [1]), (fresh, [2])])
            }
            try await writer.run([(fresh, [3])])
            try await writer.run([(fresh, [4])])
            let rows = try await pool.withConnection { try $0.query("SELECT n FROM t ORDER BY n").map { try $0.decode("n", as: Int.self) } }
            #expect(rows == [1, 3, 4])
            await pool.close()
        }
    }

    /// A unit left unanswered would hang the test: the time limit makes that a failure.
    @Test(.timeLimit(.minutes(1))) func aConnectionLostWithUnitsInFlightAnswersEveryUnit() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)
            try await pool.withConnection { try $0.execute("CREATE TABLE t (n int PRIMARY KEY)") }
            let writer = PostgresPipelineWriter(pool: pool)
            let submitter = Submitter(writer)
            // Unit 0 commits first. Unit 1 ends the writer's own server process after half a
            // second, while units 2–5, submitted after it, are on the wire behind it: they went
            // to a connection that is gone. Every unit must be answered.
            #expect(await submitter.send(0, [("INSERT INTO t (n) VALUES ($1)", [0])]))
            let dying = Task {
                await submitter.send(1, [("SELECT pg_sleep(0.5), pg_terminate_backend(pg_backend_pid()) WHERE $1::int = 1", [1])])
            }
            while await !submitter.submitted.contains(1) { try await Task.sleep(for: .milliseconds(5)) }
            var answers = await submitter.sendAll((2..<6).map { n in (n, [("INSERT INTO t (n) VALUES ($1)", [n])]) })
            answers[1] = await dying.value
            answers[0] = true
            #expect(answers.keys.sorted() == Array(0..<6))
            let order = await submitter.submitted
            #expect(order.prefix(2) == [0, 1] && Set(order) == Set(0..<6), "submitted in the order \(order)")
            #expect(answers[1] == false)
            // Queued behind the lost unit: sent on the dead connection, so answered with its error
            // (a unit not yet sent would have gone on the next connection and committed).
            let behind = order.drop { $0 != 1 }.dropFirst()
            #expect(behind.contains { answers[$0] == false }, "\(answers): no unit was in flight behind unit 1")
            // A new connection for the next unit.
            try await writer.run([("INSERT INTO t (n) VALUES ($1)", [100])])
            let committed = try await pool.withConnection { try $0.query("SELECT n FROM t ORDER BY n").map { try $0.decode("n", as: Int.self) } }
            #expect(committed.contains(100))
            #expect(Set(committed).subtracting([100]) == Set(answers.filter(\.value).map(\.key)))
            await pool.close()
        }
    }
}
