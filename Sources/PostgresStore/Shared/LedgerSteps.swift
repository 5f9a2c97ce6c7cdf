import Foundation
import Ledger
import Market
import Postgres

/// The ledger steps every use case shares, inside the caller's transaction: opening accounts
/// (named, or mapped from a business key on first use) and applying one transfer.
enum LedgerSteps {
    /// A ledger account's label is cut to this (the accounts table's limit).
    static let accountNameLengthMax = 128

    /// A new account numbered from the market's account sequence.
    static func newAccount(code: UInt16, limited: Bool, name: String, on connection: PostgresConnection) throws -> AccountID {
        let id: Int64 = try connection.query("SELECT nextval('voucher_account_ids') AS id")[0].decode("id")
        try openAccount(id, code: code, limited: limited, name: name, on: connection)
        return AccountID(UInt64(id))
    }

    static func openAccount(_ id: Int64, code: UInt16, limited: Bool, name: String, on connection: PostgresConnection) throws {
        let account = Account(id: AccountID(UInt64(id)), code: code, flags: limited ? [.debitsMustNotExceedCredits] : [])
        let result = try PostgresLedgerStore.createAccount(
            LabelledAccount(account, name: String(name.prefix(accountNameLengthMax))), on: connection)
        guard result == .ok else { throw LedgerStepFailed(step: "open account \(name)", reason: "\(result)") }
    }

    /// The account that a mapping table names for `keys`, opened on first use. Two first uses at
    /// once: the second waits on the first's mapping row and then takes its account.
    static func mappedAccount(
        table: String, keyColumns: String, keys: [any PostgresEncodable], code: UInt16, limited: Bool, name: String,
        on connection: PostgresConnection
    ) throws -> AccountID {
        let match = keyColumns.split(separator: ",").enumerated().map { "\($0.element.trimmingCharacters(in: .whitespaces)) = $\($0.offset + 1)" }
            .joined(separator: " AND ")
        if let row = try connection.query("SELECT account_id FROM \(table) WHERE \(match)", parameters: keys).first {
            return AccountID(UInt64(try row.decode("account_id", as: Int64.self)))
        }
        let id: Int64 = try connection.query("SELECT nextval('voucher_account_ids') AS id")[0].decode("id")
        let placeholders = (1...keys.count + 1).map { "$\($0)" }.joined(separator: ", ")
        let inserted = try connection.query(
            "INSERT INTO \(table) (\(keyColumns), account_id) VALUES (\(placeholders)::bigint) ON CONFLICT DO NOTHING RETURNING account_id",
            parameters: keys + [id])
        guard !inserted.isEmpty else {
            return AccountID(UInt64(try connection.query("SELECT account_id FROM \(table) WHERE \(match)", parameters: keys)[0].decode("account_id", as: Int64.self)))
        }
        try openAccount(id, code: code, limited: limited, name: name, on: connection)
        return AccountID(UInt64(id))
    }

    /// Applies one transfer. Given `locked`, the rows of its `PostgresLedgerStore.lockStatements`
    /// that the caller sent with its own statements, the transfer is the transaction's last step:
    /// its write goes with COMMIT, so its accounts are held from that round trip to COMMIT only.
    static func move(_ transfer: Transfer, locked: ArraySlice<PostgresRows>? = nil, on connection: PostgresConnection) throws -> TransferResult {
        let atMs = Int64(Date().timeIntervalSince1970 * 1000)
        guard let locked else { return try PostgresLedgerStore.apply(transfer, atMs: atMs, on: connection) }
        return try PostgresLedgerStore.apply(transfer, locked: locked, atMs: atMs, committing: true, on: connection)
    }
}
