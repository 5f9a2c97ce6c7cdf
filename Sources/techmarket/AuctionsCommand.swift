import ArgumentParser
import Foundation
import Ledger
import Market
import PostgresStore

/// `techmarket auctions …`: the lots' work on the clock, and the replay audit of a lot's log.
struct AuctionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auctions", abstract: "Close the lots that are due; replay a lot's record.",
        subcommands: [CloseDue.self, Replay.self])

    struct CloseDue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close-due",
            abstract: "Close the lots whose end (after extensions) has passed: contracts, commissions, deposits applied and released (safe from cron, safe beside running servers).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await withStore(database) { store in
                let auctions = AuctionService(store: store)
                var total = LotSweepReport()
                // Each call works at most a page of lots; go on until nothing is due.
                while true {
                    let report = try await auctions.closeDue(limit: AuctionLimits.dueLotsPerRunMax)
                    total.closed += report.closed
                    total.sold += report.sold
                    if report.closed < AuctionLimits.dueLotsPerRunMax { break }
                }
                print("\(total.closed) lot(s) closed: \(total.sold) sold, \(total.closed - total.sold) unsold")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-run a lot's whole command log through a fresh engine and check the ledger's money steps; exit 1 naming the first difference.")
        @Argument(help: "The lot's id.")
        var lot: Int64
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard lot > 0 else { throw ValidationError("LOT must be a lot's id (a positive integer), not \(lot)") }
        }

        func run() async throws {
            var clean = true
            try await withStore(database) { store in
                let replay = try await AuctionService(store: store).replay(LotID(lot))
                if let difference = replay.firstDifference {
                    clean = false
                    print("lot \(lot): command \(difference.commandID) of \(replay.commandCount) differs")
                    print("  recorded: \(difference.recorded.replacingOccurrences(of: "\n", with: "; "))")
                    print("  replayed: \(difference.replayed.replacingOccurrences(of: "\n", with: "; "))")
                }
                for line in replay.moneyDifferences {
                    clean = false
                    print("lot \(lot): \(line)")
                }
                if clean { print("lot \(lot): \(replay.commandCount) command(s) replay clean; the ledger holds the close's money steps") }
            }
            if !clean { throw ExitCode(1) }
        }
    }
}

/// `techmarket deposits …`: the operator records deposits that arrived at the bank.
struct DepositsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deposits", abstract: "Record auction deposits (保证金) received at the bank.", subcommands: [Receive.self])

    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Credit a firm's deposit account with a bank payment; the same reference again is the same receipt.")
        @Option(help: "The firm: its handle or id.")
        var firm: String
        @Option(help: "The amount in fen (¥1 = 100 fen).")
        var amount: Int64
        @Option(help: "The bank's reference of the payment.")
        var reference: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await withStore(database) { store in
                let id: PartyID
                if let number = Int64(firm) {
                    id = PartyID(number)
                } else {
                    guard let party = try await store.party(handle: firm) else { throw ValidationError("no party '\(firm)'") }
                    id = party.id
                }
                let receipt = try await AuctionService(store: store).receiveDeposit(
                    firm: id, amountFen: amount, reference: reference, by: .commandLineOperator)
                print("receipt \(receipt.id): \(MoneyFormat.yuan(receipt.amountFen)) yuan for firm \(receipt.firmID) (\(receipt.reference)); deposit account holds \(MoneyFormat.yuan(receipt.balanceFen)) yuan")
            }
        }
    }
}
