/// A five-character SQLSTATE code, as PostgreSQL reports it.
public struct SQLState: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    public init(_ code: String) { self.code = code }

    public var description: String { code }

    /// The two-character class (`23` integrity constraint violation, `40` transaction rollback, …).
    public var errorClass: Substring { code.prefix(2) }

    public static let uniqueViolation = SQLState("23505")
    public static let foreignKeyViolation = SQLState("23503")
    public static let notNullViolation = SQLState("23502")
    public static let checkViolation = SQLState("23514")
    public static let exclusionViolation = SQLState("23P01")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let lockNotAvailable = SQLState("55P03")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let crashShutdown = SQLState("57P02")
    public static let cannotConnectNow = SQLState("57P03")
    public static let undefinedTable = SQLState("42P01")
    public static let undefinedColumn = SQLState("42703")
    public static let syntaxError = SQLState("42601")
    public static let invalidTextRepresentation = SQLState("22P02")
    public static let numericValueOutOfRange = SQLState("22003")
    public static let raiseException = SQLState("P0001")
    public static let insufficientPrivilege = SQLState("42501")
    public static let duplicateDatabase = SQLState("42P04")
    public static let invalidCatalogName = SQLState("3D000")
}

/// An error from PostgreSQL or from talking to it.
///
/// `kind` sorts errors into what a caller reacts to differently; `sqlState` and `message`
/// keep what the server said.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not open a connection (server down, bad credentials, unknown database).
        case connectionFailed
        /// The connection broke while in use; whether the last statement ran is unknown.
        case connectionLost
        /// The server refused the statement; `sqlState` says why.
        case server
        /// The pool gave up waiting for a free connection.
        case poolTimeout
        /// The pool was shut down.
        case poolClosed
        /// Anything else libpq reported (bad parameters, protocol trouble).
        case client
    }

    public let kind: Kind
    public let sqlState: SQLState?
    public let message: String
    public let detail: String?
    public let hint: String?
    public let constraint: String?
    public let table: String?
    public let column: String?

    public init(
        kind: Kind, sqlState: SQLState? = nil, message: String, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    public var isUniqueViolation: Bool { sqlState == .uniqueViolation }
    public var isCheckViolation: Bool { sqlState == .checkViolation }
    public var isForeignKeyViolation: Bool { sqlState == .foreignKeyViolation }
    public var isSerializationFailure: Bool { sqlState == .serializationFailure }
    public var isDeadlock: Bool { sqlState == .deadlockDetected }
    /// A conflict that a fresh attempt of the whole transaction may not meet again.
    public var isRetryableConflict: Bool { isSerializationFailure || isDeadlock }
    /// The connection is gone: an operator shut the server down, or the socket broke.
    public var isConnectionLost: Bool {
        kind == .connectionLost || kind == .connectionFailed
            || sqlState?.errorClass == "08" || sqlState == .adminShutdown || sqlState == .crashShutdown
            || sqlState == .cannotConnectNow
    }

    public var description: String {
        var text = "PostgreSQL"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let detail { text += " (\(detail))" }
        return text
    }
}

/// A row's column could not be read as the asked-for Swift type.
public enum PostgresDecodingError: Error, Sendable, CustomStringConvertible, Equatable {
    case missingColumn(String, available: [String])
    case columnIndexOutOfRange(Int, count: Int)
    case unexpectedNull(column: String)
    case typeMismatch(column: String, expected: String, actualTypeOID: UInt32)
    case invalidValue(column: String, expected: String, text: String)

    public var description: String {
        switch self {
        case let .missingColumn(name, available):
            return "no column \"\(name)\" in the result (columns: \(available.joined(separator: ", ")))"
        case let .columnIndexOutOfRange(index, count):
            return "column index \(index) out of range (the result has \(count) columns)"
        case let .unexpectedNull(column):
            return "column \"\(column)\" is NULL; decode it as an Optional"
        case let .typeMismatch(column, expected, oid):
            return "column \"\(column)\" has PostgreSQL type \(PostgresTypeOID.name(oid)), which does not decode as \(expected)"
        case let .invalidValue(column, expected, text):
            return "column \"\(column)\" holds \"\(text.prefix(60))\", which is not a valid \(expected)"
        }
    }
}
