import ArgumentParser
import Foundation
import Market
import PostgresStore

/// `techmarket offers …`: the offers' work on the clock, and the audit of the books' logs.
struct OffersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offers", abstract: "Close due offer windows and lapsed offers; replay a listing's books.",
        subcommands: [CloseDue.self, Replay.self])

    struct CloseDue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close-due",
            abstract: "Close the offer windows that are due, expire offers past their valid-until, end the books of withdrawn listings (safe from cron, safe beside running servers).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await withStore(database) { store in
                let offers = OfferService(store: store)
                var total = OfferSweepReport()
                // Each call works at most a page of listings; go on until nothing is due.
                while true {
                    let report = try await offers.closeDue(limit: OfferLimits.dueListingsPerRunMax)
                    total.listings += report.listings
                    total.windowsClosed += report.windowsClosed
                    total.offersExpired += report.offersExpired
                    total.deals += report.deals
                    if report.listings < OfferLimits.dueListingsPerRunMax { break }
                }
                print("\(total.listings) listing(s): \(total.windowsClosed) offer window(s) closed, \(total.offersExpired) offer(s) expired, \(total.deals) deal(s)")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-run every book of a listing from its whole command log through a fresh engine; exit 1 naming the first command whose recorded events differ.")
        @Argument(help: "The listing's id.")
        var listing: Int64
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard listing > 0 else { throw ValidationError("LISTING must be a listing's id (a positive integer), not \(listing)") }
        }

        func run() async throws {
            var clean = true
            try await withStore(database) { store in
                let books = try await OfferService(store: store).replay(ListingID(listing))
                if books.isEmpty { print("listing \(listing) has no offer books") }
                for book in books {
                    if let difference = book.firstDifference {
                        clean = false
                        print("listing \(listing), \(book.mode.rawValue): command \(difference.commandID) of \(book.commandCount) differs")
                        print("  recorded: \(difference.recorded)")
                        print("  replayed: \(difference.replayed)")
                    } else {
                        print("listing \(listing), \(book.mode.rawValue): \(book.commandCount) command(s) replay clean")
                    }
                }
            }
            if !clean { throw ExitCode(1) }
        }
    }
}
