import CLibPQ
import Synchronization
#if canImport(Glibc)
import Glibc
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
        do {
            try await pool.withConnection { connection in try self.loop(on: connection) }
        } catch {
            // No connection could be had, or it broke: the units in flight were answered with the
            // error; the ones not sent yet get it too, and the next submission starts afresh.
            let units = state.withLock { state -> [Unit] in
                defer {
                    state.pending.removeAll()
                    state.isRunning = false
                }
                return state.pending
            }
            for unit in units { unit.continuation.resume(throwing: error) }
        }
    }

    /// A unit on the wire, and the first error among its answers so far.
    private struct InFlight {
        var unit: Unit
        var error: (any Error)?
    }

    /// Runs on the connection's thread until no unit is pending or in flight. Throws when the
    /// connection fails; the units in flight are answered with that error first.
    private func loop(on connection: PostgresConnection) throws {
        let handle = try connection.liveHandle()
        guard PQenterPipelineMode(handle) == 1 else { _ = try connection.checked(nil); return }
        defer { PQexitPipelineMode(handle) }
        var inFlight: [InFlight] = []
        var head = 0
        func failAll(_ error: any Error) {
            for flight in inFlight[head...] { flight.unit.continuation.resume(throwing: error) }
            inFlight.removeAll()
            head = 0
        }
        do {
            while true {
                let room = Self.unitsInFlightMax - (inFlight.count - head)
                let fresh = state.withLock { state -> [Unit] in
                    let taken = Array(state.pending.prefix(room))
                    state.pending.removeFirst(taken.count)
                    // Stops with the lock held, so a unit submitted now starts a new loop.
                    if taken.isEmpty && inFlight.count == head { state.isRunning = false }
                    return taken
                }
                if fresh.isEmpty && inFlight.count == head { return }
                for unit in fresh {
                    let encoded = unit.statements.map { ($0.sql, $0.parameters.map(\.postgresParameter)) }
                    if let index = encoded.lazy.compactMap({ $0.1.firstIndex { $0.text?.utf8.contains(0) == true } }).first {
                        // Refused before any of it is sent.
                        unit.continuation.resume(throwing: PostgresError(
                            kind: .client, message: "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold"))
                        continue
                    }
                    try send(encoded, on: connection, handle: handle)
                    inFlight.append(InFlight(unit: unit))
                }
                if head == inFlight.count { continue }
                try waitForInput(handle)
                guard PQconsumeInput(handle) == 1 else { _ = try connection.checked(nil); return }
                while head < inFlight.count, PQisBusy(handle) == 0 {
                    let result = PQgetResult(handle)
                    if read(result, into: &inFlight[head], connection: connection) {
                        let done = inFlight[head]
                        if let error = done.error {
                            done.unit.continuation.resume(throwing: error)
                        } else {
                            done.unit.continuation.resume()
                        }
                        head += 1
                    }
                }
                if head == inFlight.count {
                    inFlight.removeAll(keepingCapacity: true)
                    head = 0
                }
            }
        } catch {
            failAll(error)
            throw error
        }
    }

    private func send(_ statements: [(sql: String, values: [PostgresParameter])], on connection: PostgresConnection, handle: OpaquePointer) throws {
        for (sql, values) in statements {
            let types = values.map { Oid($0.typeOID) }
            let name = try connection.pipelinedPreparedName(for: sql, types: types, handle: handle)
            let sent = withCStringArray(values.map(\.text)) { texts in
                if let name { return PQsendQueryPrepared(handle, name, Int32(values.count), texts, nil, nil, 0) }
                return PQsendQueryParams(handle, sql, Int32(values.count), types, texts, nil, nil, 0)
            }
            guard sent == 1 else { _ = try connection.checked(nil); return }
        }
        guard PQpipelineSync(handle) == 1 else { _ = try connection.checked(nil); return }
    }

    /// Waits until the server has sent something or a unit was submitted.
    private func waitForInput(_ handle: OpaquePointer) throws {
        var descriptors = [pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        while poll(&descriptors, 2, -1) < 0 {
            guard errno == EINTR else { throw PostgresError(kind: .connectionLost, message: "poll failed: errno \(errno)") }
        }
        if descriptors[1].revents != 0 {
            var bytes = [UInt8](repeating: 0, count: 64)
            while Glibc.read(wake.read, &bytes, bytes.count) > 0 {}
        }
    }

    /// Takes one answer of the unit at the head (a statement's result, the end marker after each
    /// statement, or the sync that ends the unit); true when the unit is complete.
    private func read(_ result: OpaquePointer?, into flight: inout InFlight, connection: PostgresConnection) -> Bool {
        guard let result else { return false }
        switch PQresultStatus(result) {
        case PGRES_PIPELINE_SYNC:
            PQclear(result)
            return true
        case PGRES_PIPELINE_ABORTED:
            // A statement after the unit's first error, not run.
            PQclear(result)
        default:
            do { _ = try connection.checked(result) } catch { flight.error = flight.error ?? error }
        }
        return false
    }
}
