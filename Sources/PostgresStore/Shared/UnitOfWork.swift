import Foundation
import Market
import Postgres

/// The unit of work every use case shares: one transaction, retried on a serialization failure
/// or deadlock, with the Idempotency-Key claimed inside it and its answer kept with the money.
extension PostgresMarketStore {
    /// A transaction that may move money: retried on serialization failures and deadlocks, and
    /// turning a lost database into `StoreUnavailable`.
    ///
    /// With a record, the transaction's first statement claims the Idempotency-Key
    /// (`idempotency_claim`, Schema/0012), in the round trip of the body's first statements: it
    /// takes the key's advisory lock, which the transaction then holds until it ends, and fails
    /// when another request with the key is running (`inProgress`) or the key is answered (the
    /// kept answer is read after the rollback: `replay`, or `reusedWithOtherRequest`). Failing in
    /// PostgreSQL, it stops the transaction there: the statements sent after it do not run. The
    /// body keeps its answer with `keep`, in its own commit. A refusal that the record renders
    /// rolls the body's work back and is then kept as the key's answer in a short transaction of
    /// its own; should another request with the key have answered in between, that answer is
    /// the key's, and this one's too.
    func moneyTransaction<T: Sendable, R>(
        _ record: IdempotencyRecord<R>? = nil as IdempotencyRecord<Never>?, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let started = ContinuousClock.now
        guard let record else {
            let result = try await available { try await self.pool.withTransaction(retry: .onConflict, body) }
            LedgerMetrics.committed(way: "use_case", since: started)
            return result
        }
        do {
            let result = try await available { try await self.pool.withTransaction(retry: .onConflict) { connection in
                try connection.send("SELECT idempotency_claim($1, $2)", record.apiKeyID, record.key)
                return try body(connection)
            } }
            LedgerMetrics.committed(way: "use_case", since: started)
            return result
        } catch let error as PostgresError where error.sqlState?.code == "TK409" {
            throw IdempotencyKeyAnswered(.inProgress)
        } catch let error as PostgresError where error.sqlState?.code == "TK200" {
            throw IdempotencyKeyAnswered(try await keptAnswer(record))
        } catch {
            guard let refusal = record.renderRefusal(error) else { throw error }
            let kept = try await available { try await self.pool.withTransaction { connection in
                try connection.send("SELECT pg_advisory_xact_lock(idempotency_lock($1, $2))", record.apiKeyID, record.key)
                return try !connection.query(Self.keepSQL, parameters: Self.keepParameters(record, refusal)).isEmpty
            } }
            if !kept { throw IdempotencyKeyAnswered(try await keptAnswer(record)) }
            throw error
        }
    }

    /// One transaction for several commands that each carry a key of their own (the bids of a
    /// lot that wait together, `LotBidQueue`). Every key is claimed first, in one statement, with
    /// `idempotency_try_claim` (Schema/0020), which answers rather than fails: a key another
    /// request holds, or one answered before, leaves its command out of the transaction (the body
    /// is told which it may run) and answers as `moneyTransaction` would — `inProgress`, or the
    /// kept answer read after the commit. A key twice in one batch is held by its first command.
    /// The body answers every command it was told to run, and keeps those answers itself.
    func moneyBatch<R: Sendable>(
        _ records: [IdempotencyRecord<R>?], _ body: @escaping @Sendable (PostgresConnection, _ claimed: [Bool]) throws -> [Result<R, any Error>?]
    ) async throws -> [Result<R, any Error>] {
        let started = ContinuousClock.now
        var firstOfKey: Set<String> = []
        let heldInBatch = records.map { record -> Bool in
            guard let record else { return false }
            return !firstOfKey.insert("\(record.apiKeyID) \(record.key)").inserted
        }
        let (states, answers) = try await available { try await self.pool.withTransaction(retry: .onConflict) { connection in
            // Every key in one statement, in the batch's order (unnest's ordinality).
            let claimed = zip(records, heldInBatch).compactMap { record, held in held ? nil : record }
            let claimRows: [PostgresRow] = claimed.isEmpty ? [] : Array(try connection.query(
                """
                SELECT idempotency_try_claim(k.api_key_id, k.key) AS state
                FROM unnest(string_to_array($1, ',')::bigint[], $2::text[]) WITH ORDINALITY AS k (api_key_id, key, n)
                ORDER BY k.n
                """,
                claimed.map { String($0.apiKeyID) }.joined(separator: ","), Self.textArray(claimed.map(\.key))))
            var claimStates = claimRows.makeIterator()
            let states = try zip(records, heldInBatch).map { record, held -> String in
                if held { return "running" }
                guard record != nil else { return "claimed" }
                // A key is run only on the claim's own word: anything else stops the batch.
                let state = try claimStates.next()?.decode("state", as: String.self)
                guard let state, ["claimed", "running", "done"].contains(state) else {
                    throw LotInconsistent("idempotency_try_claim answered \(state ?? "nothing")")
                }
                return state
            }
            let answers = try body(connection, states.map { $0 == "claimed" })
            guard answers.count == records.count else {
                throw LotInconsistent("a batch's body answered \(answers.count) of \(records.count) commands")
            }
            return (states, answers)
        } }
        LedgerMetrics.committed(way: "use_case", since: started)
        var results: [Result<R, any Error>] = []
        for (index, state) in states.enumerated() {
            switch (state, answers[index], records[index]) {
            case ("claimed", let answer?, _): results.append(answer)
            case ("done", _, let record?): results.append(.failure(IdempotencyKeyAnswered(try await keptAnswer(record))))
            default: results.append(.failure(IdempotencyKeyAnswered(.inProgress)))
            }
        }
        return results
    }

    /// The answer kept for a key: the first response to the same request, or word that the key
    /// was used for another.
    func keptAnswer<R>(_ record: IdempotencyRecord<R>) async throws -> IdempotencyAnswer {
        let requestHash = SHA256.hex(record.request)
        return try await available { try await self.pool.withConnection { connection in
            guard let row = try connection.query(
                "SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE api_key_id = $1 AND key = $2 AND state = 'done'",
                record.apiKeyID, record.key
            ).first else { return .inProgress }
            guard try row.decode("request_hash", as: String.self) == requestHash else { return .reusedWithOtherRequest }
            return .replay(StoredResponse(status: try row.decode("response_status"), body: try row.decode("response_body")))
        } }
    }

    /// Keeps `result`'s response as the answer to the record's key, sent with the transaction's
    /// next statement (nothing waits for it).
    static func keep<T>(_ record: IdempotencyRecord<T>?, _ result: T, on connection: PostgresConnection) throws {
        guard let record else { return }
        try connection.send(keepSQL, parameters: keepParameters(record, try record.render(result)))
    }

    /// A key's answer, written once; over a row left 'running' by a claim committed apart (before
    /// Schema/0012), never over an answer. Returns a row when it wrote. `keepHead`, a row of
    /// `keepCasts` a key (`keepParameters`), and `keepTail` write several keys' answers at once.
    static let keepSQL = keepHead + " ($1, $2, $3, $4, $5::integer, $6)" + keepTail
    static let keepHead = "INSERT INTO idempotency_keys (api_key_id, key, request_hash, state, response_status, response_body) VALUES"
    static let keepCasts = ["", "", "", "", "::integer", ""]
    static let keepTail = """

        ON CONFLICT (api_key_id, key) DO UPDATE SET request_hash = excluded.request_hash, state = 'done',
            response_status = excluded.response_status, response_body = excluded.response_body, started_at = now()
        WHERE idempotency_keys.state = 'running'
        RETURNING 1
        """

    static func keepParameters<T>(_ record: IdempotencyRecord<T>, _ response: StoredResponse) -> [any PostgresEncodable] {
        [record.apiKeyID, record.key, SHA256.hex(record.request), "done", Int64(response.status), response.body]
    }
}
