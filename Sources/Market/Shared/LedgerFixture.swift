import Foundation
import Ledger

/// Demo ledger data (Fixtures/ledger.json): a Deqing voucher budget, an issued voucher, one
/// redemption claimed and one held, and an auction deposit held in escrow.
public struct LedgerFixture: Sendable, Decodable {
    public struct AccountRow: Sendable, Decodable {
        public var id: UInt64
        public var code: UInt16
        public var flags: [String]
        public var name: String
    }

    public struct TransferRow: Sendable, Decodable {
        public var id: UInt64
        public var debit: UInt64
        public var credit: UInt64
        public var amountFen: Int64
        public var code: UInt16
        public var pending: Bool?
        public var postPendingID: UInt64?
        public var reference: String
    }

    public var accounts: [AccountRow]
    public var transfers: [TransferRow]

    /// Reads `ledger.json` from `directory`.
    public static func load(from directory: URL) throws -> LedgerFixture {
        try FixtureError.read("ledger.json", in: directory)
    }

    /// The accounts as the ledger opens them.
    public func ledgerAccounts() throws -> [LabelledAccount] {
        try accounts.map { row in
            var flags: AccountFlags = []
            for name in row.flags {
                switch name {
                case "debitsMustNotExceedCredits": flags.insert(.debitsMustNotExceedCredits)
                case "creditsMustNotExceedDebits": flags.insert(.creditsMustNotExceedDebits)
                default: throw FixtureError.invalid("account \(row.id): unknown flag \(name)")
                }
            }
            return LabelledAccount(Account(id: AccountID(row.id), code: row.code, flags: flags), name: row.name)
        }
    }

    /// The transfers in order; ids are fixed, so loading twice changes nothing.
    public func ledgerTransfers() -> [Transfer] {
        transfers.map { row in
            if let pendingID = row.postPendingID {
                return .post(id: TransferID(UInt128(row.id)), pendingID: TransferID(UInt128(pendingID)), amountFen: row.amountFen, reference: row.reference)
            }
            return Transfer(
                id: TransferID(UInt128(row.id)), debitAccountID: AccountID(row.debit), creditAccountID: AccountID(row.credit),
                amountFen: row.amountFen, code: row.code, flags: row.pending == true ? [.pending] : [], reference: row.reference)
        }
    }
}
