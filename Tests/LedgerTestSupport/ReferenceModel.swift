import Ledger

/// A deliberately naive ledger: dictionaries and a list of accepted transfers, with every balance
/// recomputed from the whole list each time it is needed. It shares no code with the engine's
/// rules beyond the public types, so agreement between the two means something.
public struct ReferenceModel {
    struct Opened {
        var ledger: UInt32
        var code: UInt16
        var flags: AccountFlags
    }

    struct Accepted {
        var submitted: Transfer
        var debit: AccountID
        var credit: AccountID
        var ledger: UInt32
        var code: UInt16
        var amountFen: Int64
        var expiresAtMs: Int64
        var status: PendingStatus
        var isPending: Bool
        var isPost: Bool
    }

    var accounts: [AccountID: Opened] = [:]
    var accepted: [TransferID: Accepted] = [:]
    var order: [TransferID] = []

    public init() {}

    public mutating func open(_ id: AccountID, ledger: UInt32 = LedgerCode.cny, code: UInt16, flags: AccountFlags) {
        accounts[id] = Opened(ledger: ledger, code: code, flags: flags)
    }

    /// Balances from scratch: posted transfers and posts count as posted; a pending transfer counts only while held.
    public func balances(of account: AccountID) -> Balances {
        var result = Balances()
        for id in order {
            guard let t = accepted[id] else { continue }
            var pendingFen: Int64 = 0, postedFen: Int64 = 0
            if t.isPending {
                if t.status == .pending { pendingFen = t.amountFen }
            } else if t.submitted.flags.contains(.voidPending) {
                // A void moves nothing by itself; its pending transfer stopped counting.
            } else {
                postedFen = t.amountFen
            }
            if t.debit == account {
                result.debitsPendingFen += pendingFen
                result.debitsPostedFen += postedFen
            }
            if t.credit == account {
                result.creditsPendingFen += pendingFen
                result.creditsPostedFen += postedFen
            }
        }
        return result
    }

    public var heldPendingCount: Int { accepted.values.filter { $0.status == .pending }.count }

    public mutating func apply(_ batch: [Transfer], atMs now: Int64) -> [TransferResult] {
        for (id, t) in accepted where t.status == .pending && t.expiresAtMs != 0 && t.expiresAtMs <= now {
            accepted[id]?.status = .expired
        }
        var results: [TransferResult] = []
        var chain: [Int] = []
        var saved = self
        for (index, transfer) in batch.enumerated() {
            if chain.isEmpty { saved = self }
            chain.append(index)
            if transfer.flags.contains(.linked) && index < batch.count - 1 { continue }
            if transfer.flags.contains(.linked) {
                // The batch ends inside a chain.
                for k in chain { results.append(.refused(k == batch.count - 1 ? .linkedEventChainOpen : .linkedEventFailed)) }
                self = saved
                break
            }
            var chainResults: [TransferResult] = []
            var failedAt: Int?
            for k in chain {
                let result = applyOne(batch[k], now: now)
                chainResults.append(result)
                if case .refused = result, chain.count > 1 {
                    failedAt = k
                    break
                }
            }
            if let failedAt {
                self = saved
                chainResults = chain.map { $0 == failedAt ? chainResultsAt(failedAt, chain, chainResults) : .refused(.linkedEventFailed) }
            }
            results += chainResults
            chain = []
        }
        return results
    }

    private func chainResultsAt(_ k: Int, _ chain: [Int], _ results: [TransferResult]) -> TransferResult {
        results[chain.firstIndex(of: k)!]
    }

    private mutating func applyOne(_ t: Transfer, now: Int64) -> TransferResult {
        let isPending = t.flags.contains(.pending), isPost = t.flags.contains(.postPending), isVoid = t.flags.contains(.voidPending)
        let max = LedgerLimits.transferAmountFenMax
        if t.id == .zero { return .refused(.idMustNotBeZero) }
        if t.flags.rawValue > 0b1111 { return .refused(.flagsUnknown) }
        if [isPending, isPost, isVoid].filter({ $0 }).count > 1 { return .refused(.flagsAreMutuallyExclusive) }
        if Array(t.reference.utf8).count > LedgerLimits.referenceLengthMax { return .refused(.referenceTooLong) }
        if isPost || isVoid {
            if t.pendingID == .zero { return .refused(.pendingIDMustNotBeZero) }
            if t.pendingID == t.id { return .refused(.pendingIDMustBeDifferent) }
            if t.timeoutMs != 0 { return .refused(.timeoutReservedForPendingTransfer) }
            if t.debitAccountID.rawValue != 0 && t.debitAccountID == t.creditAccountID { return .refused(.accountsMustBeDifferent) }
            if isPost && t.amountFen == 0 { return .refused(.amountZero) }
            if t.amountFen < 0 || t.amountFen > max { return .refused(.amountOutOfRange) }
        } else {
            if t.pendingID != .zero { return .refused(.pendingIDMustBeZero) }
            if t.timeoutMs != 0 && !isPending { return .refused(.timeoutReservedForPendingTransfer) }
            if t.timeoutMs < 0 || t.timeoutMs > LedgerLimits.timeoutMsMax { return .refused(.timeoutOutOfRange) }
            if t.debitAccountID.rawValue == 0 { return .refused(.debitAccountIDMustNotBeZero) }
            if t.creditAccountID.rawValue == 0 { return .refused(.creditAccountIDMustNotBeZero) }
            if t.debitAccountID == t.creditAccountID { return .refused(.accountsMustBeDifferent) }
            if t.ledger == 0 { return .refused(.ledgerMustNotBeZero) }
            if t.code == 0 { return .refused(.codeMustNotBeZero) }
            if t.amountFen == 0 { return .refused(.amountZero) }
            if t.amountFen < 0 || t.amountFen > max { return .refused(.amountOutOfRange) }
        }
        if let e = accepted[t.id]?.submitted {
            if e.flags != t.flags { return .refused(.existsWithDifferentFlags) }
            if e.debitAccountID != t.debitAccountID { return .refused(.existsWithDifferentDebitAccountID) }
            if e.creditAccountID != t.creditAccountID { return .refused(.existsWithDifferentCreditAccountID) }
            if e.pendingID != t.pendingID { return .refused(.existsWithDifferentPendingID) }
            if e.amountFen != t.amountFen { return .refused(.existsWithDifferentAmount) }
            if e.timeoutMs != t.timeoutMs { return .refused(.existsWithDifferentTimeout) }
            if e.ledger != t.ledger { return .refused(.existsWithDifferentLedger) }
            if e.code != t.code { return .refused(.existsWithDifferentCode) }
            if Array(e.reference.utf8) != Array(t.reference.utf8) { return .refused(.existsWithDifferentReference) }
            return .exists
        }
        if isPost || isVoid {
            guard let p = accepted[t.pendingID] else { return .refused(.pendingTransferNotFound) }
            if !p.isPending { return .refused(.pendingTransferNotPending) }
            if t.debitAccountID.rawValue != 0 && t.debitAccountID != p.debit { return .refused(.pendingTransferHasDifferentDebitAccountID) }
            if t.creditAccountID.rawValue != 0 && t.creditAccountID != p.credit { return .refused(.pendingTransferHasDifferentCreditAccountID) }
            if t.ledger != 0 && t.ledger != p.ledger { return .refused(.pendingTransferHasDifferentLedger) }
            if t.code != 0 && t.code != p.code { return .refused(.pendingTransferHasDifferentCode) }
            if isPost && t.amountFen > p.amountFen { return .refused(.exceedsPendingAmount) }
            if isVoid && t.amountFen != 0 && t.amountFen != p.amountFen { return .refused(.pendingTransferHasDifferentAmount) }
            if p.status == .posted { return .refused(.pendingTransferAlreadyPosted) }
            if p.status == .voided { return .refused(.pendingTransferAlreadyVoided) }
            if p.status == .expired { return .refused(.pendingTransferExpired) }
            if p.expiresAtMs != 0 && p.expiresAtMs <= now { return .refused(.pendingTransferExpired) }
            accepted[t.pendingID]?.status = isPost ? .posted : .voided
            record(Accepted(
                submitted: t, debit: p.debit, credit: p.credit, ledger: p.ledger, code: p.code,
                amountFen: isPost ? t.amountFen : p.amountFen, expiresAtMs: 0, status: .none, isPending: false, isPost: isPost))
            return .ok
        }
        guard let debit = accounts[t.debitAccountID] else { return .refused(.debitAccountNotFound) }
        guard let credit = accounts[t.creditAccountID] else { return .refused(.creditAccountNotFound) }
        if debit.ledger != credit.ledger { return .refused(.accountsMustHaveTheSameLedger) }
        if t.ledger != debit.ledger { return .refused(.transferMustHaveTheSameLedgerAsAccounts) }
        // The workload keeps amounts far from Int64.max, so the model does not predict overflows.
        let d = balances(of: t.debitAccountID), c = balances(of: t.creditAccountID)
        if debit.flags.contains(.debitsMustNotExceedCredits) && d.debitsPendingFen + d.debitsPostedFen + t.amountFen > d.creditsPostedFen {
            return .refused(.exceedsCredits)
        }
        if credit.flags.contains(.creditsMustNotExceedDebits) && c.creditsPendingFen + c.creditsPostedFen + t.amountFen > c.debitsPostedFen {
            return .refused(.exceedsDebits)
        }
        record(Accepted(
            submitted: t, debit: t.debitAccountID, credit: t.creditAccountID, ledger: t.ledger, code: t.code, amountFen: t.amountFen,
            expiresAtMs: isPending && t.timeoutMs > 0 ? now + t.timeoutMs : 0, status: isPending ? .pending : .none,
            isPending: isPending, isPost: false))
        return .ok
    }

    private mutating func record(_ t: Accepted) {
        accepted[t.submitted.id] = t
        order.append(t.submitted.id)
    }
}
