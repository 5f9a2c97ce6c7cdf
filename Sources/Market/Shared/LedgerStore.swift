import Ledger

/// An account and the label people see on statements and the trial balance.
public struct LabelledAccount: Sendable, Equatable {
    public var account: Account
    public var name: String

    public init(_ account: Account, name: String) {
        self.account = account
        self.name = name
    }
}

/// The storage port of the double-entry ledger. Every write is idempotent by id.
public protocol LedgerStore: Sendable {
    /// Opens accounts; an id already open with the same attributes answers `.exists`.
    func createAccounts(_ accounts: [LabelledAccount]) async throws -> [AccountResult]
    /// Applies transfers in order, a linked chain all or nothing; one result per transfer.
    func submit(_ transfers: [Transfer], atMs: Int64) async throws -> [TransferResult]
    /// Releases holds whose timeout has passed by `atMs`; returns how many.
    func expirePending(atMs: Int64) async throws -> Int
    /// One account with its balances and chain head.
    func account(_ id: AccountID) async throws -> Account?
    /// One transfer as resolved.
    func transfer(_ id: TransferID) async throws -> TransferRecord?
}
