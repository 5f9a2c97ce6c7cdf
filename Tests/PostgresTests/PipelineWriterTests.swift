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
            let pool = database.pool(size: 2)
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
            // Idle, the writer gave its connection back clean; it starts again on the next unit.
            let idle = try await pool.withConnection { $0.isIdle }
            #expect(idle)
            try await writer.run([("INSERT INTO log (n) VALUES ($1)", [1_000])])
            let error = await #expect(throws: PostgresError.self) { try await writer.run([("INSERT INTO log (n) VALUES ($1)", [1_000])]) }
            #expect(error?.isUniqueViolation == true)
            await pool.close()
        }
    }
}
