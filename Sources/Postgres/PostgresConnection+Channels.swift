import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LISTEN/NOTIFY, COPY out and identifier quoting: what a connection does besides statements.
extension PostgresConnection {
    /// Starts listening on a channel.
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(try quoteIdentifier(channel))")
    }

    /// Stops listening on a channel.
    public func unlisten(_ channel: String) throws {
        try execute("UNLISTEN \(try quoteIdentifier(channel))")
    }

    /// Sends a notification; it is delivered when the surrounding transaction commits.
    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify($1, $2)", channel, payload)
    }

    /// Returns the notifications that have arrived, waiting up to `timeoutMs` for the first one.
    public func notifications(timeoutMs: Int32) throws -> [PostgresNotification] {
        let handle = try liveHandle()
        var received = drainNotifications(handle)
        if !received.isEmpty { return received }
        // Reading may have found the socket closed; libpq then drops it, and poll on -1 would wait
        // out the timeout and report nothing, forever.
        guard PQstatus(handle) == CONNECTION_OK, PQsocket(handle) >= 0 else {
            throw PostgresError(kind: .connectionLost, message: Self.trimmedMessage(PQerrorMessage(handle)))
        }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMs)
        if ready < 0, errno != EINTR {
            throw PostgresError(kind: .connectionLost, message: "poll failed: errno \(errno)")
        }
        if ready > 0 {
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                throw PostgresError(kind: .connectionLost, message: Self.trimmedMessage(PQerrorMessage(handle)))
            }
            received = drainNotifications(handle)
        }
        return received
    }

    /// Runs `COPY (…) TO STDOUT` and hands each row to `row` as the server streams it: in text
    /// format the row's line without its newline, in binary format (`WITH (FORMAT binary)`) each
    /// message as sent (the file header comes with the first row, the trailer on its own, or with
    /// the header when there are no rows). The server formats rows while the caller digests the
    /// earlier ones, and no result of millions of rows is ever held whole. The bytes are valid
    /// only during the call. An error thrown by
    /// `row` stops the handing out (the rest of the stream is read and dropped, so the connection
    /// stays usable) and is rethrown. Returns the number of rows (binary: of messages, the
    /// trailer included).
    @discardableResult
    public func copyOut(_ sql: String, row: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Int {
        try sendQueued()
        let handle = try liveHandle()
        roundTripCount += 1
        guard let started = PQexec(handle, sql) else { throw sendFailure(handle) }
        guard PQresultStatus(started) == PGRES_COPY_OUT else {
            _ = try checked(started)
            throw PostgresError(kind: .client, message: "copyOut needs a COPY … TO STDOUT statement")
        }
        let binary = PQbinaryTuples(started) == 1
        PQclear(started)
        var count = 0
        var failure: (any Error)?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(handle, &buffer, 0)
            if length > 0, let buffer {
                defer { PQfreemem(buffer) }
                count += 1
                guard failure == nil else { continue }
                let bytes = UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self)
                let end = !binary && bytes[Int(length) - 1] == UInt8(ascii: "\n") ? Int(length) - 1 : Int(length)
                do { try row(UnsafeBufferPointer(start: bytes, count: end)) } catch { failure = error }
            } else {
                break  // -1: the copy is done; -2: an error, which the final result reports
            }
        }
        var outcome: (any Error)?
        while let result = PQgetResult(handle) {
            do { _ = try checked(result) } catch { outcome = outcome ?? error }
        }
        if let outcome { throw outcome }
        if let failure { throw failure }
        return count
    }

    /// Runs `COPY … FROM STDIN` with `data` as the rows, in the statement's format (text or CSV,
    /// each row ending in a newline), sent in chunks of `copyChunkBytes`: a bulk load in one
    /// round trip's worth of statements, with no parameters to bind. Returns the rows copied.
    @discardableResult
    public func copyIn(_ sql: String, data: [UInt8]) throws -> Int {
        try sendQueued()
        let handle = try liveHandle()
        roundTripCount += 1
        guard let started = PQexec(handle, sql) else { throw sendFailure(handle) }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            _ = try checked(started)
            throw PostgresError(kind: .client, message: "copyIn needs a COPY … FROM STDIN statement")
        }
        PQclear(started)
        var offset = 0
        var sent = true
        while offset < data.count && sent {
            let count = min(Self.copyChunkBytes, data.count - offset)
            sent = data.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: count) {
                    PQputCopyData(handle, $0, Int32(count)) == 1
                }
            }
            offset += count
        }
        // A failed send ends the copy with an error message, so that the server rolls it back.
        guard PQputCopyEnd(handle, sent ? nil : "the client could not send the rows") == 1 else { throw sendFailure(handle) }
        var outcome: (any Error)?
        var copied = 0
        while let result = PQgetResult(handle) {
            if outcome == nil, let tuples = PQcmdTuples(result) { copied = Int(String(cString: tuples)) ?? 0 }
            do { _ = try checked(result) } catch { outcome = outcome ?? error }
        }
        if let outcome { throw outcome }
        return copied
    }

    /// What one `PQputCopyData` call of `copyIn` sends.
    public static let copyChunkBytes = 256 * 1024

    /// Quotes a name for use as an SQL identifier.
    public func quoteIdentifier(_ identifier: String) throws -> String {
        let handle = try liveHandle()
        guard let quoted = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw PostgresError(kind: .client, message: Self.trimmedMessage(PQerrorMessage(handle)))
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }
}
