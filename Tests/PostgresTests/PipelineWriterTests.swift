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

        /// Unit `n` writes rows 2n and 2n+1; with `failing`, also row 0 again, so it must fail whole.
        func send(_ n: Int, failing: Bool) async -> Bool {
            var statements: [PostgresPipelineWriter.Statement] = [
                ("INSERT INTO log (n) VALUES ($1)", [n * 2]), ("INSERT INTO log (n) VALUES ($1)", [n * 2 + 1]),
            ]
            if failing { statements.append(("INSERT INTO log (n) VALUES ($1)", [0])) }
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
    }

    @Test func unitsCommitInTheOrderSubmittedAndAFailedUnitWritesNothing() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)  // the writer's connection is the one checked afterwards
            try await pool.withConnection { try $0.execute("CREATE TABLE log (n int PRIMARY KEY, at bigserial)") }
            let writer = PostgresPipelineWriter(pool: pool)
            let submitter = Submitter(writer)
            #expect(await submitter.send(0, failing: false))  // rows 0 and 1
            // 200 more at once; every tenth fails on row 0 and must leave nothing of itself.
            let answers = await withTaskGroup(of: (Int, Bool).self) { group in
                for n in 1...200 { group.addTask { (n, await submitter.send(n, failing: n % 10 == 0)) } }
                var answers: [Int: Bool] = [:]
                for await (n, committed) in group { answers[n] = committed }
                return answers
            }
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
            // The first statement fails; the server then skips the rest of the unit.
            await #expect(throws: PostgresError.self) {
                try await writer.run([("INSERT INTO t (n) VALUES ($1)", [1]), (fresh, [2])])
            }
            try await writer.run([(fresh, [3])])
            try await writer.run([(fresh, [4])])
            let rows = try await pool.withConnection { try $0.query("SELECT n FROM t ORDER BY n").map { try $0.decode("n", as: Int.self) } }
            #expect(rows == [1, 3, 4])
            await pool.close()
        }
    }

    @Test func aConnectionLostWithUnitsInFlightAnswersEveryUnit() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let pool = database.pool(size: 1)
            try await pool.withConnection { try $0.execute("CREATE TABLE t (n int PRIMARY KEY)") }
            let writer = PostgresPipelineWriter(pool: pool)
            // The second unit ends the writer's own server process; the ones after it were sent
            // on a connection that is gone. Every unit must be answered, none may hang.
            let answers = await withTaskGroup(of: (Int, Bool).self) { group in
                for n in 0..<6 {
                    group.addTask {
                        let sql = n == 1 ? "SELECT pg_terminate_backend(pg_backend_pid()) WHERE $1::int = 1" : "INSERT INTO t (n) VALUES ($1)"
                        do {
                            try await writer.run([(sql, [n])])
                            return (n, true)
                        } catch {
                            return (n, false)
                        }
                    }
                }
                var answers: [Int: Bool] = [:]
                for await (n, committed) in group { answers[n] = committed }
                return answers
            }
            #expect(answers.count == 6)
            #expect(answers[1] == false)
            // A new connection for the next unit.
            try await writer.run([("INSERT INTO t (n) VALUES ($1)", [100])])
            let committed = try await pool.withConnection { try $0.query("SELECT n FROM t ORDER BY n").map { try $0.decode("n", as: Int.self) } }
            #expect(committed.contains(100))
            #expect(Set(committed).subtracting([100]) == Set(answers.filter(\.value).map(\.key)))
            await pool.close()
        }
    }
}
