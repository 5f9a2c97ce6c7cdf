import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A notification received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    public var senderProcessID: Int32
}

/// A statement and its parameters, for `PostgresConnection.queries`.
public struct PostgresStatement {
    public var sql: String
    public var parameters: [any PostgresEncodable]

    public init(_ sql: String, _ parameters: any PostgresEncodable...) {
        self.init(sql, parameters: parameters)
    }

    public init(_ sql: String, parameters: [any PostgresEncodable]) {
        self.sql = sql
        self.parameters = parameters
    }
}

/// Transaction isolation levels.
public enum PostgresIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// One libpq connection. Its calls block, so it is used by one thread at a time and never on
/// Swift's cooperative pool: the pool gives each connection a thread of its own.
public final class PostgresConnection {
    /// Prepared statements kept per connection; past this, statements run unprepared.
    public static let preparedStatementCountMax = 512
    /// How long opening a connection may take unless the conninfo says otherwise.
    public static let connectTimeoutSeconds = 5

    /// The connection string this connection was opened with, to open another like it.
    public let conninfo: String
    private var handle: OpaquePointer?
    /// Statement names by SQL text, with the parameter types they were prepared for.
    private var preparedStatements: [String: [(types: [Oid], name: String)]] = [:]
    private var preparedStatementCount = 0
    /// Numbers the names of prepared statements; never reused, unlike a forgotten statement's slot.
    private var preparedNameCount = 0
    /// Set when `queryThenCommit`'s COMMIT succeeded, for the enclosing `transaction`.
    private var committedByLastWrite = false
    /// Statements waiting to go ahead of the next one the caller waits for (`send`, BEGIN).
    private var queued: [Statement] = []
    private var isInTransactionBody = false
    private let resultCounter = ResultCounter()
    /// Settings every connection starts with, so decoding never depends on the server's defaults.
    static let sessionSettings = "SET DateStyle = 'ISO'; SET TimeZone = 'UTC'; SET bytea_output = 'hex'; SET client_min_messages = 'warning'"

    /// Opens a connection. `conninfo` is a libpq connection string or `postgresql://` URL; what it
    /// leaves out comes from the `PG*` environment variables, by libpq's own rules.
    public init(conninfo: String) throws {
        self.conninfo = conninfo
        // Defaults first: what the caller's conninfo says wins.
        let keywords = ["application_name", "client_encoding", "connect_timeout", "dbname"]
        let values = ["techmarket", "UTF8", String(Self.connectTimeoutSeconds), conninfo]
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connectionFailed, message: "libpq could not allocate a connection")
        }
        PostgresDiagnostics.connections.add(1, ordering: .relaxed)
        handle = connection
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmedMessage(PQerrorMessage(connection))
            close()
            throw PostgresError(kind: .connectionFailed, message: message)
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        try execute(Self.sessionSettings)
    }

    deinit { close() }

    /// Finishes the connection; safe to call more than once.
    public func close() {
        if let handle {
            PQfinish(handle)
            PostgresDiagnostics.connections.subtract(1, ordering: .relaxed)
        }
        handle = nil
        preparedStatements.removeAll()
        preparedStatementCount = 0
    }

    /// False once the connection is closed or libpq has seen it break.
    public var isUsable: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Results of this connection that have not been cleared yet (0 when nothing holds rows).
    public var liveResultCount: Int { resultCounter.count.load(ordering: .relaxed) }

    /// How many times this connection has sent something and waited for the server's answer (a
    /// statement, a preparation, SQL text, a pipeline up to its Sync): for tests that check what
    /// goes in one round trip. The pipeline writer's units are not counted.
    public internal(set) var roundTripCount = 0

    /// The server's process id for this connection (what `pg_stat_activity.pid` shows).
    public var backendProcessID: Int32 {
        guard let handle else { return 0 }
        return PQbackendPID(handle)
    }

    /// Checks, without waiting, whether the server has closed this idle connection (as it does
    /// on shutdown); reads any notifications that arrived meanwhile.
    public func checkAlive() -> Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        // On shutdown the server sends a FATAL message and then closes the socket: the first read
        // takes the message, only a further read sees the end of the stream.
        for _ in 0..<4 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            if ready == 0 || (ready < 0 && errno == EINTR) { break }
            if ready < 0 || PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK { return false }
        }
        return PQstatus(handle) == CONNECTION_OK && PQsocket(handle) >= 0
    }

    /// True when no transaction is open (or failed) on this connection.
    public var isIdle: Bool {
        guard let handle else { return false }
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// Runs one parameterised statement (`$1`, `$2`, …) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: any PostgresEncodable...) throws -> PostgresRows {
        try query(sql, parameters: parameters)
    }

    /// Runs one parameterised statement with an array of parameters. With `prepared` false the
    /// statement is planned afresh for its values each time: for searches whose best plan depends
    /// on how common the searched words are, where a cached generic plan would guess. Statements
    /// queued by `send` go first, in the same round trip.
    @discardableResult
    public func query(_ sql: String, parameters: [any PostgresEncodable], prepared: Bool = true) throws -> PostgresRows {
        let statement = Statement(sql: sql, parameters: try Self.encode(parameters), prepared: prepared)
        if !queued.isEmpty { return try pipeline([statement])[0] }
        let handle = try liveHandle()
        let types = statement.types
        let name = prepared ? try preparedName(for: sql, types: types, handle: handle) : nil
        roundTripCount += 1
        let result: OpaquePointer? = withCStringArray(statement.parameters.map(\.text)) { values in
            if let name {
                return PQexecPrepared(handle, name, Int32(types.count), values, nil, nil, 0)
            }
            return PQexecParams(handle, sql, Int32(types.count), types, values, nil, nil, 0)
        }
        return try checked(result)
    }

    /// Runs several statements in one round trip (libpq pipeline mode), after any queued by
    /// `send`, and returns their rows in order. Each statement runs after the one before has
    /// finished, with a snapshot of its own, as if sent one by one; the first error is thrown and
    /// the statements after it do not run. For reads that do not depend on each other's answers
    /// (a lock, then what it guards), inside a transaction.
    public func queries(_ statements: [PostgresStatement]) throws -> [PostgresRows] {
        try pipeline(statements.map { Statement(sql: $0.sql, parameters: try Self.encode($0.parameters), prepared: true) })
    }

    /// Queues a statement whose rows nobody reads: it is sent ahead of the next statement the
    /// caller waits for (`query`, `queries`, `queryThenCommit`, or the transaction's COMMIT), in
    /// the same round trip, and an error of its own is thrown there (the statements after it do
    /// not run). Only inside `transaction`, which sends or drops what is queued before it returns.
    public func send(_ sql: String, _ parameters: any PostgresEncodable...) throws {
        try send(sql, parameters: parameters)
    }

    /// `send` with an array of parameters.
    public func send(_ sql: String, parameters: [any PostgresEncodable]) throws {
        precondition(isInTransactionBody, "send queues statements for the transaction that sends them; outside one they would be lost")
        precondition(!committedByLastWrite, "the transaction has committed: a statement sent now would run outside it")
        queued.append(Statement(sql: sql, parameters: try Self.encode(parameters), prepared: true))
    }

    /// Runs a statement and then COMMIT in one round trip (libpq pipeline mode), ending the
    /// transaction the caller began: for the last write of a transaction whose row locks should
    /// be held as briefly as possible. `transaction` then finds nothing left to commit. Throws the
    /// statement's error (the transaction is then left failed, for the caller's ROLLBACK) or the
    /// commit's. Returns the statement's rows.
    @discardableResult
    public func queryThenCommit(_ sql: String, parameters: [any PostgresEncodable]) throws -> PostgresRows {
        precondition(isInTransactionBody, "queryThenCommit ends the transaction it runs in; outside one there is nothing to commit")
        let statement = Statement(sql: sql, parameters: try Self.encode(parameters), prepared: true)
        committedByLastWrite = false
        let outcome = runPipeline([statement, Self.commit])
        // Once COMMIT has answered, the transaction is committed, whatever happens to the
        // connection after.
        committedByLastWrite = outcome.rows[1] != nil
        if committedByLastWrite, let rows = outcome.rows[0] { return rows }
        throw outcome.error ?? PostgresError(kind: .connectionLost, message: "the connection was lost before COMMIT answered")
    }

    /// Runs SQL text that may hold several statements and no parameters (a migration, a script).
    public func execute(_ sql: String) throws {
        try sendQueued()
        let handle = try liveHandle()
        roundTripCount += 1
        _ = try checked(PQexec(handle, sql))
    }

    /// Runs `body` between BEGIN and COMMIT; rolls back and rethrows when it throws. BEGIN is
    /// queued, not sent: it goes with the body's first statement, in the same round trip.
    public func transaction<T>(isolation: PostgresIsolation = .readCommitted, _ body: (PostgresConnection) throws -> T) throws -> T {
        precondition(!isInTransactionBody, "transactions do not nest")
        _ = try liveHandle()
        // Nothing queued outlives the transaction, however it ends.
        defer { queued.removeAll() }
        queued = [Statement(sql: isolation == .readCommitted ? "BEGIN" : "BEGIN ISOLATION LEVEL \(isolation.rawValue)", parameters: [], prepared: false)]
        isInTransactionBody = true
        committedByLastWrite = false
        let value: T
        do {
            defer { isInTransactionBody = false }
            value = try body(self)
        } catch {
            rollBackIfOpen()
            throw error
        }
        // A body that swallowed a statement's error leaves the transaction failed; COMMIT would
        // then quietly roll back and report success.
        if let handle, PQtransactionStatus(handle) == PQTRANS_INERROR {
            rollBackIfOpen()
            throw PostgresError(kind: .client, message: "the transaction failed inside its body (an error was caught and ignored), so it was rolled back")
        }
        // The body may have committed with its last write already (`queryThenCommit`).
        if committedByLastWrite { return value }
        if isIdle {
            // Only the BEGIN still queued: the body did nothing, and there is nothing to commit.
            if queued.count == 1 { return value }
            // A transaction that ended any other way inside the body is not passed off as committed.
            if queued.isEmpty {
                throw PostgresError(kind: .client, message: "the transaction ended inside its body without committing its last write")
            }
        }
        do {
            _ = try pipeline([Self.commit])  // what is still queued, then COMMIT
        } catch {
            rollBackIfOpen()
            throw error
        }
        return value
    }

    /// Drops what is queued and ends a transaction left open (or failed) on the server.
    private func rollBackIfOpen() {
        queued.removeAll()
        if isUsable && !isIdle { try? execute("ROLLBACK") }
    }

    // MARK: - Internals

    func drainNotifications(_ handle: OpaquePointer) -> [PostgresNotification] {
        PQconsumeInput(handle)
        var received = [PostgresNotification]()
        while let notify = PQnotifies(handle) {
            received.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    senderProcessID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return received
    }

    /// A statement as it is sent: parameters encoded and checked.
    struct Statement {
        var sql: String
        var parameters: [PostgresParameter]
        var prepared: Bool
        var types: [Oid] { parameters.map { Oid($0.typeOID) } }
    }

    static var commit: Statement { Statement(sql: "COMMIT", parameters: [], prepared: false) }

    /// Sends what is queued (and waits for it), for calls that cannot go in a pipeline.
    func sendQueued() throws {
        if !queued.isEmpty { _ = try pipeline([]) }
    }

    /// `runPipeline` for callers that want the rows of `statements` or the first error.
    private func pipeline(_ statements: [Statement]) throws -> [PostgresRows] {
        let outcome = runPipeline(statements)
        if let error = outcome.error { throw error }
        let rows = outcome.rows.compactMap { $0 }
        guard rows.count == statements.count else {
            throw PostgresError(kind: .connectionLost, message: "the pipeline ended without an answer to every statement")
        }
        return rows
    }

    /// Sends the queued statements and then `statements` in one pipeline ended by one Sync, and
    /// reads every answer. `rows[i]` is statement i's rows when it succeeded, nil when it failed
    /// or did not run; `error` is the first error. A statement not prepared yet is prepared by a
    /// Parse message sent just before it. Statements after an error are skipped by the
    /// server; inside BEGIN the transaction is then failed, outside it the pipeline is one
    /// implicit transaction and nothing of it stays.
    private func runPipeline(_ statements: [Statement]) -> (rows: [PostgresRows?], error: (any Error)?) {
        let all = queued + statements
        queued.removeAll()
        var rows = [PostgresRows?](repeating: nil, count: statements.count)
        if all.isEmpty { return (rows, nil) }
        guard let handle else {
            return (rows, PostgresError(kind: .connectionLost, message: "the connection is closed"))
        }
        guard PQenterPipelineMode(handle) == 1 else {
            return (rows, PostgresError(kind: .client, message: Self.trimmedMessage(PQerrorMessage(handle))))
        }
        // What answers to expect, in order: a statement's preparation (when new) just before it,
        // so that nothing is parsed before a BEGIN that sets an isolation level.
        enum Answer { case preparation(String), statement(Int) }
        var answers: [Answer] = []
        var firstError: (any Error)?
        do {
            for (index, statement) in all.enumerated() {
                let types = statement.types
                let prepared = statement.prepared ? try pipelinedPreparedName(for: statement.sql, types: types, handle: handle) : nil
                if let prepared, prepared.isNew { answers.append(.preparation(prepared.name)) }
                let sent = withCStringArray(statement.parameters.map(\.text)) { texts in
                    if let name = prepared?.name { return PQsendQueryPrepared(handle, name, Int32(types.count), texts, nil, nil, 0) }
                    return PQsendQueryParams(handle, statement.sql, Int32(types.count), types, texts, nil, nil, 0)
                }
                guard sent == 1 else { throw sendFailure(handle) }
                answers.append(.statement(index - (all.count - statements.count)))
            }
            guard PQpipelineSync(handle) == 1 else { throw sendFailure(handle) }
            roundTripCount += 1
            // Each answer is followed by its end marker (a null result); the sync's comes last.
            for answer in answers {
                guard let result = PQgetResult(handle) else {
                    throw PostgresError(kind: .connectionLost, message: "the connection was lost in the middle of a pipeline")
                }
                if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                    PQclear(result)  // skipped after an earlier error
                    if case .preparation(let name) = answer { forgetPrepared(name) }
                } else {
                    do {
                        let answered = try checked(result)
                        // A queued statement's index is negative: its rows are nobody's.
                        if case .statement(let index) = answer, index >= 0 { rows[index] = answered }
                    } catch {
                        if case .preparation(let name) = answer { forgetPrepared(name) }
                        firstError = firstError ?? error
                    }
                }
                if let extra = PQgetResult(handle) { PQclear(extra) }  // the end marker
            }
            if let sync = PQgetResult(handle) { PQclear(sync) }
        } catch {
            firstError = firstError ?? error
        }
        if PQexitPipelineMode(handle) != 1 { close() }
        return (rows, firstError)
    }

    /// The error of a libpq call that could not send: the connection's message, lost or not.
    func sendFailure(_ handle: OpaquePointer) -> PostgresError {
        PostgresError(kind: PQstatus(handle) == CONNECTION_OK ? .client : .connectionLost, message: Self.trimmedMessage(PQerrorMessage(handle)))
    }

    func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError(kind: .connectionLost, message: "the connection is closed") }
        return handle
    }

    /// Prepares `sql` once per connection and returns the statement's name (waiting for the
    /// server to answer). Nil past `preparedStatementCountMax`.
    func preparedName(for sql: String, types: [Oid], handle: OpaquePointer) throws -> String? {
        try preparedName(for: sql, types: types) { name in
            roundTripCount += 1
            _ = try checked(PQprepare(handle, name, sql, Int32(types.count), types))
        }?.name
    }

    /// `preparedName` for a connection in pipeline mode: a statement not prepared yet is prepared
    /// by a message sent ahead of it in the same pipeline, not by a round trip (`isNew`: that
    /// message's answer is to come).
    func pipelinedPreparedName(for sql: String, types: [Oid], handle: OpaquePointer) throws -> (name: String, isNew: Bool)? {
        try preparedName(for: sql, types: types) { name in
            guard PQsendPrepare(handle, name, sql, Int32(types.count), types) == 1 else { throw sendFailure(handle) }
        }
    }

    /// The name `sql` is prepared under on this connection, preparing it with `prepare` when it
    /// is new.
    private func preparedName(
        for sql: String, types: [Oid], prepare: (String) throws -> Void
    ) throws -> (name: String, isNew: Bool)? {
        if let variants = preparedStatements[sql], let known = variants.first(where: { $0.types == types }) {
            return (known.name, false)
        }
        guard preparedStatementCount < Self.preparedStatementCountMax else { return nil }
        let name = "tm\(preparedNameCount)"
        preparedNameCount += 1
        try prepare(name)
        preparedStatements[sql, default: []].append((types, name))
        preparedStatementCount += 1
        return (name, true)
    }

    /// Parameters in the form libpq sends them; refused when PostgreSQL could not take one.
    static func encode(_ parameters: [any PostgresEncodable]) throws -> [PostgresParameter] {
        let encoded = parameters.map(\.postgresParameter)
        if let index = encoded.firstIndex(where: { $0.text?.utf8.contains(0) == true }) {
            throw PostgresError(kind: .client, message: "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold")
        }
        return encoded
    }

    /// Forgets a statement whose preparation failed, so that its next use prepares it again.
    func forgetPrepared(_ name: String) {
        for (sql, variants) in preparedStatements where variants.contains(where: { $0.name == name }) {
            preparedStatements[sql] = variants.filter { $0.name != name }
            preparedStatementCount -= 1  // the server never kept it: its slot is free again
        }
    }

    func checked(_ result: OpaquePointer?) throws -> PostgresRows {
        guard let handle else { throw PostgresError(kind: .connectionLost, message: "the connection is closed") }
        guard let result else {
            let lost = PQstatus(handle) != CONNECTION_OK
            throw PostgresError(kind: lost ? .connectionLost : .client, message: Self.trimmedMessage(PQerrorMessage(handle)))
        }
        let rows = PostgresRows(taking: result, counter: resultCounter)  // owns the result from here on, so every path clears it
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return rows
        default:
            throw error(from: result, handle: handle)
        }
    }

    private func error(from result: OpaquePointer, handle: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let state = field("C").map(SQLState.init)
        let lost = PQstatus(handle) != CONNECTION_OK
        let message = field("M") ?? Self.trimmedMessage(PQresultErrorMessage(result))
        return PostgresError(
            kind: lost ? .connectionLost : (state == nil ? .client : .server),
            sqlState: state, message: message.isEmpty ? Self.trimmedMessage(PQerrorMessage(handle)) : message,
            detail: field("D"), hint: field("H"), constraint: field("n"), table: field("t"), column: field("c"))
    }

    static func trimmedMessage(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "unknown libpq error" }
        let text = String(cString: pointer)
        let trimmed = text.trimmingSuffix(while: { $0 == "\n" || $0 == " " })
        return trimmed.isEmpty ? "unknown libpq error" : trimmed
    }
}

extension String {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return String(self[..<end])
    }
}

/// Calls `body` with a C array of C strings (NULL for nil) that lives for the call.
func withCStringArray<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    let duplicates: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { duplicates.forEach { free($0) } }
    return try body(duplicates.map { $0.map { UnsafePointer($0) } } + [nil])
}
