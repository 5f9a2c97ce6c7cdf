import CLibPQ
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Counts of live libpq objects, so tests can prove that every result is cleared and every
/// connection finished.
public enum PostgresDiagnostics {
    static let results = Atomic<Int>(0)
    static let connections = Atomic<Int>(0)

    /// `PGresult`s not yet cleared.
    public static var liveResultCount: Int { results.load(ordering: .relaxed) }
    /// `PGconn`s not yet finished.
    public static var liveConnectionCount: Int { connections.load(ordering: .relaxed) }
}

/// Counts the results of one connection that are still alive.
final class ResultCounter: Sendable {
    let count = Atomic<Int>(0)
}

/// The rows a statement returned. Owns its `PGresult` and clears it when released.
public final class PostgresRows: RandomAccessCollection {
    let result: OpaquePointer
    public let count: Int
    private let counter: ResultCounter

    init(taking result: OpaquePointer, counter: ResultCounter) {
        self.result = result
        self.counter = counter
        PostgresDiagnostics.results.add(1, ordering: .relaxed)
        counter.count.add(1, ordering: .relaxed)
        self.count = Int(PQntuples(result))
    }

    /// Column names, in order.
    public var columns: [String] {
        (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
    }

    /// The command tag's row count (`UPDATE 3` → 3); 0 when the command reports none.
    public var affectedRowCount: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    func typeOID(_ column: Int) -> UInt32 { UInt32(PQftype(result, Int32(column))) }
    func columnName(_ column: Int) -> String { String(cString: PQfname(result, Int32(column))) }
    var columnCount: Int { Int(PQnfields(result)) }

    deinit {
        PQclear(result)
        PostgresDiagnostics.results.subtract(1, ordering: .relaxed)
        counter.count.subtract(1, ordering: .relaxed)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < count, "row index out of range")
        return PostgresRow(rows: self, index: Int32(position))
    }

    /// The index of the named column, or a decoding error naming the columns there are.
    func columnIndex(_ name: String) throws -> Int {
        let found = name.withCString { wanted -> Int? in
            for index in 0..<PQnfields(result) where strcmp(PQfname(result, index), wanted) == 0 {
                return Int(index)
            }
            return nil
        }
        guard let found else { throw PostgresDecodingError.missingColumn(name, available: columns) }
        return found
    }
}

/// One row of a result.
public struct PostgresRow {
    let rows: PostgresRows
    let index: Int32

    /// True when the named column is SQL NULL.
    public func isNull(_ column: String) throws -> Bool {
        PQgetisnull(rows.result, index, Int32(try rows.columnIndex(column))) == 1
    }

    /// Reads the named column as `T`; NULL is an error (decode as `T?` to allow it).
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try decode(at: try rows.columnIndex(column), as: type)
    }

    /// Reads the named column as `T?`, NULL giving `nil`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type) throws -> T? {
        try decode(at: try rows.columnIndex(column), as: type)
    }

    /// Reads the column at `column` (0-based) as `T`.
    public func decode<T: PostgresDecodable>(at column: Int, as type: T.Type = T.self) throws -> T {
        guard let value = try decode(at: column, as: T?.self) else {
            throw PostgresDecodingError.unexpectedNull(column: rows.columnName(column))
        }
        return value
    }

    /// Reads the column at `column` (0-based) as `T?`.
    public func decode<T: PostgresDecodable>(at column: Int, as type: T?.Type) throws -> T? {
        guard let text = try rawText(column) else { return nil }
        return try T.decode(
            text: String(decoding: text, as: UTF8.self)[...], typeOID: rows.typeOID(column), column: rows.columnName(column))
    }
}

extension PostgresRow {
    // MARK: - Fast paths for bulk reads (no String is made unless there is an error)

    /// The column's raw text, or nil for NULL; valid while the rows are alive.
    private func rawText(_ column: Int) throws -> UnsafeBufferPointer<UInt8>? {
        guard column >= 0, column < rows.columnCount else {
            throw PostgresDecodingError.columnIndexOutOfRange(column, count: rows.columnCount)
        }
        let field = Int32(column)
        if PQgetisnull(rows.result, index, field) == 1 { return nil }
        let length = Int(PQgetlength(rows.result, index, field))
        let start = UnsafeRawPointer(PQgetvalue(rows.result, index, field)!).assumingMemoryBound(to: UInt8.self)
        return UnsafeBufferPointer(start: start, count: length)
    }

    /// Reads an integer column (smallint, integer, bigint) at `column` straight from its text.
    public func int64(at column: Int) throws -> Int64 {
        let oid = rows.typeOID(column)
        guard oid == PostgresTypeOID.int8 || oid == PostgresTypeOID.int4 || oid == PostgresTypeOID.int2 else {
            throw PostgresDecodingError.typeMismatch(column: rows.columnName(column), expected: "Int64", actualTypeOID: oid)
        }
        guard let text = try rawText(column) else { throw PostgresDecodingError.unexpectedNull(column: rows.columnName(column)) }
        var value: Int64 = 0
        var negative = false
        var position = 0
        if text.first == UInt8(ascii: "-") {
            negative = true
            position = 1
        }
        guard position < text.count else {
            throw PostgresDecodingError.invalidValue(column: rows.columnName(column), expected: "Int64", text: "")
        }
        while position < text.count {
            let digit = text[position] &- 48
            guard digit < 10 else {
                throw PostgresDecodingError.invalidValue(column: rows.columnName(column), expected: "Int64", text: String(decoding: text, as: UTF8.self))
            }
            // Accumulate negatively so that Int64.min parses too.
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times.subtractingReportingOverflow(Int64(digit))
            if overflow1 || overflow2 {
                throw PostgresDecodingError.invalidValue(column: rows.columnName(column), expected: "Int64", text: String(decoding: text, as: UTF8.self))
            }
            value = next
            position += 1
        }
        if negative { return value }
        guard value != .min else {
            throw PostgresDecodingError.invalidValue(column: rows.columnName(column), expected: "Int64", text: String(decoding: text, as: UTF8.self))
        }
        return -value
    }

    /// Reads a bytea column at `column` straight from its hex text.
    public func bytes(at column: Int) throws -> [UInt8] {
        let oid = rows.typeOID(column)
        guard oid == PostgresTypeOID.bytea else {
            throw PostgresDecodingError.typeMismatch(column: rows.columnName(column), expected: "bytes", actualTypeOID: oid)
        }
        guard let text = try rawText(column) else { throw PostgresDecodingError.unexpectedNull(column: rows.columnName(column)) }
        guard let bytes = PostgresBytes.decodeHex(text) else {
            throw PostgresDecodingError.invalidValue(column: rows.columnName(column), expected: "hex bytea", text: String(decoding: text, as: UTF8.self))
        }
        return bytes
    }
}
