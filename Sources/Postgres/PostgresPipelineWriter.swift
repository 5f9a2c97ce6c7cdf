import CLibPQ
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs units of write statements on one connection, in the order they are submitted, sending
/// each unit as soon as it is submitted instead of after the answer to the one before (libpq
/// pipeline mode). The server therefore starts a unit the moment the previous one commits, with
/// no round trip to this process in between: what a lock held from one unit's first statement to
/// its commit needs to be short.
///
/// A unit is one implicit transaction: its statements commit together at its end, or, at the first
/// error, none of them does and that error is the unit's answer; the units after it are not
/// affected. A unit's answer is only whether it committed (writes, no rows). The connection is
/// borrowed from the pool while units are in flight and given back when none are.
public final class PostgresPipelineWriter: Sendable {
    public typealias Statement = (sql: String, parameters: [any PostgresEncodable])

    /// Units sent and not yet answered, at most: bounds what the server may have to buffer.
    public static let unitsInFlightMax = 8

    struct Unit {
        var statements: [Statement]
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var pending: [Unit] = []
        var isRunning = false
    }

    private let pool: PostgresPool
    private let state = Mutex(State())
    /// A pipe that wakes the sending loop when a unit is submitted while it waits for answers:
    /// read end, write end.
    private let wake: (read: Int32, write: Int32)

    public init(pool: PostgresPool) {
        self.pool = pool
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK); _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        }
        wake = (ends[0], ends[1])
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// Submits a unit and waits for its answer.
    public func run(_ statements: [Statement]) async throws {
        try await withCheckedThrowingContinuation { continuation in submit(statements, answer: continuation) }
    }

    /// Submits a unit without waiting; `answer` is resumed when it has committed or failed. Units
    /// are sent in the order of the calls, so a caller that must order its units calls this
    /// synchronously (from the closure of `withCheckedThrowingContinuation` on its actor, say),
    /// since an async call may reach here after one made later.
    public func submit(_ statements: [Statement], answer: CheckedContinuation<Void, any Error>) {
        let start = state.withLock { state -> Bool in
            state.pending.append(Unit(statements: statements, continuation: answer))
            if state.isRunning { return false }
            state.isRunning = true
            return true
        }
        if start {
            Task { await self.runLoop() }
        } else {
            var one: UInt8 = 1
            _ = write(wake.write, &one, 1)  // a full pipe already says "wake up"
        }
    }

    /// Borrows a connection and sends and answers units until there are none (the loop then
    /// marks itself stopped, under the lock, so the next submission starts a new one).
    private func runLoop() async {
        let started = Atomic<Bool>(false)
        do {
            try await pool.withConnection { connection in
                started.store(true, ordering: .relaxed)
                try self.loop(on: connection)
            }
        } catch {
            // The loop answered the units it had sent. Those not sent yet go on a new connection
            // if the loop ran (the pool drops the broken one); if no connection could be had at
            // all, they get the error.
            let retry = started.load(ordering: .relaxed)
            let (failed, again) = state.withLock { state -> ([Unit], Bool) in
                if retry {
                    state.isRunning = !state.pending.isEmpty
                    return ([], state.isRunning)
                }
                defer {
                    state.pending.removeAll()
                    state.isRunning = false
                }
                return (state.pending, false)
            }
            for unit in failed { unit.continuation.resume(throwing: error) }
            if again { await runLoop() }
        }
    }

    /// A unit on the wire: the statements it prepared (their answers come first), how many
    /// answers have come, and the first error among them.
    private struct InFlight {
        var unit: Unit
        var prepared: [String] = []
        var answerCount = 0
        var error: (any Error)?
    }

    /// Runs on the connection's thread until no unit is pending or in flight. Throws when the
    /// connection fails: the units sent on it are answered with that error first, and those not
    /// sent yet go back to the front of the queue, for the next connection.
    private func loop(on connection: PostgresConnection) throws {
        let handle = try connection.liveHandle()
        guard PQenterPipelineMode(handle) == 1 else { throw connection.sendFailure(handle) }
        // A connection left in pipeline mode must not go back to the pool: closed, it is dropped.
        defer { if PQexitPipelineMode(handle) != 1 { connection.close() } }
        var inFlight: [InFlight] = []  // oldest first; at most `unitsInFlightMax`
        do {
            while true {
                let room = Self.unitsInFlightMax - inFlight.count
                var fresh = state.withLock { state -> ArraySlice<Unit> in
                    let taken = state.pending.prefix(room)
                    state.pending.removeFirst(taken.count)
                    // Stops with the lock held, so a unit submitted now starts a new loop.
                    if taken.isEmpty && inFlight.isEmpty { state.isRunning = false }
                    return taken
                }
                if fresh.isEmpty && inFlight.isEmpty { return }
                while let unit = fresh.first {
                    let encoded: [(sql: String, values: [PostgresParameter])]
                    do {
                        encoded = try unit.statements.map { ($0.sql, try PostgresConnection.encode($0.parameters)) }
                    } catch {
                        unit.continuation.resume(throwing: error)  // refused before any of it is sent
                        fresh.removeFirst()
                        continue
                    }
                    do {
                        inFlight.append(InFlight(unit: unit, prepared: try send(encoded, on: connection, handle: handle)))
                        fresh.removeFirst()
                    } catch {
                        // This unit may be half sent: it gets the error. The rest were not sent.
                        unit.continuation.resume(throwing: error)
                        let unsent = fresh.dropFirst()
                        state.withLock { $0.pending.insert(contentsOf: unsent, at: 0) }
                        throw error
                    }
                }
                if inFlight.isEmpty { continue }
                try waitForInput(handle)
                guard PQconsumeInput(handle) == 1 else { throw connection.sendFailure(handle) }
                var previousWasEnd = false
                while !inFlight.isEmpty, PQisBusy(handle) == 0 {
                    guard let result = PQgetResult(handle) else {
                        // The end of one statement's answer. Two in a row means libpq has nothing
                        // more to give: the connection is gone or out of step, not waiting.
                        if previousWasEnd || PQstatus(handle) != CONNECTION_OK {
                            throw PostgresError(kind: .connectionLost, message: Self.lostMessage(handle))
                        }
                        previousWasEnd = true
                        continue
                    }
                    previousWasEnd = false
                    if take(result, into: &inFlight[0], connection: connection) {
                        let done = inFlight.removeFirst()
                        if let error = done.error {
                            done.unit.continuation.resume(throwing: error)
                        } else {
                            done.unit.continuation.resume()
                        }
                    }
                }
                // Lost while answering: nothing more may be sent on it.
                if PQstatus(handle) != CONNECTION_OK { throw PostgresError(kind: .connectionLost, message: Self.lostMessage(handle)) }
            }
        } catch {
            for flight in inFlight { flight.unit.continuation.resume(throwing: error) }
            throw error
        }
    }

    private static func lostMessage(_ handle: OpaquePointer) -> String {
        let message = PostgresConnection.trimmedMessage(PQerrorMessage(handle))
        return message == "unknown libpq error" ? "the connection stopped answering in the middle of a pipeline" : message
    }

    /// Sends a unit: first the statements it is the first to use are prepared, then each
    /// statement runs, then the sync that commits them. Returns the names prepared, whose
    /// answers come first. (A preparation the server skips after an error is forgotten when its
    /// answer comes back, so that its next use prepares it again.)
    private func send(_ statements: [(sql: String, values: [PostgresParameter])], on connection: PostgresConnection, handle: OpaquePointer) throws -> [String] {
        var prepared: [String] = []
        let names = try statements.map { sql, values -> String? in
            let types = values.map { Oid($0.typeOID) }
            guard let (name, isNew) = try connection.pipelinedPreparedName(for: sql, types: types, handle: handle) else { return nil }
            if isNew { prepared.append(name) }
            return name
        }
        for ((sql, values), name) in zip(statements, names) {
            let sent = withCStringArray(values.map(\.text)) { texts in
                if let name { return PQsendQueryPrepared(handle, name, Int32(values.count), texts, nil, nil, 0) }
                return PQsendQueryParams(handle, sql, Int32(values.count), values.map { Oid($0.typeOID) }, texts, nil, nil, 0)
            }
            guard sent == 1 else { throw connection.sendFailure(handle) }
        }
        guard PQpipelineSync(handle) == 1 else { throw connection.sendFailure(handle) }
        return prepared
    }

    /// Waits until the server has sent something or a unit was submitted.
    private func waitForInput(_ handle: OpaquePointer) throws {
        var descriptors = [pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        while poll(&descriptors, 2, -1) < 0 {
            guard errno == EINTR else { throw PostgresError(kind: .connectionLost, message: "poll failed: errno \(errno)") }
        }
        if descriptors[1].revents != 0 {
            var bytes = [UInt8](repeating: 0, count: 64)
            while read(wake.read, &bytes, bytes.count) > 0 {}
        }
    }

    /// Takes one answer of the unit at the head (a preparation's or a statement's result, or the
    /// sync that ends the unit); true when the unit is complete.
    private func take(_ result: OpaquePointer, into flight: inout InFlight, connection: PostgresConnection) -> Bool {
        let status = PQresultStatus(result)
        if status == PGRES_PIPELINE_SYNC {
            PQclear(result)
            return true
        }
        if flight.answerCount < flight.prepared.count && status != PGRES_COMMAND_OK {
            // Not prepared after all: the next use prepares it again.
            connection.forgetPrepared(flight.prepared[flight.answerCount])
        }
        flight.answerCount += 1
        if status == PGRES_PIPELINE_ABORTED {
            // Skipped after an earlier error in the unit.
            PQclear(result)
            flight.error = flight.error ?? PostgresError(kind: .client, message: "skipped after an earlier error in the same unit")
            return false
        }
        do { _ = try connection.checked(result) } catch { flight.error = flight.error ?? error }
        return false
    }
}
