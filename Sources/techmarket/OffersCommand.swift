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
            abstract: "Re-run each book of a listing, or of every listing, from its whole command log through a fresh engine; exit 1 naming the first command whose recorded events differ.",
            discussion: "With LISTING, one line per book; without it, every listing that has a book, a progress bar on a terminal, a line per book that differs and a total.")
        @Argument(help: "The listing's id (default: every listing that has an offer book).")
        var listing: Int64?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let listing, listing <= 0 { throw ValidationError("LISTING must be a listing's id (a positive integer), not \(listing)") }
        }

        func run() async throws {
            var clean = true
            try await withStore(database) { store in
                let offers = OfferService(store: store)
                if let listing {
                    let books = try await offers.replay(ListingID(listing))
                    if books.isEmpty { print("listing \(listing) has no offer books") }
                    for book in books {
                        if !Self.report(book, listing: listing, quiet: false) { clean = false }
                    }
                    return
                }
                let progress = ProgressReport("replayed", "listings")
                var (listings, books, commands) = (0, 0, 0)
                var after: ListingID?
                while true {
                    let page = try await offers.listingsWithBooks(after: after)
                    for id in page {
                        for book in try await offers.replay(id) {
                            if !Self.report(book, listing: id.value, quiet: true) { clean = false }
                            books += 1
                            commands += book.commandCount
                        }
                        listings += 1
                        progress.update(listings, of: nil)
                    }
                    guard page.count == OfferLimits.replayListingsPerPage, let last = page.last else { break }
                    after = last
                }
                progress.finish(listings, of: nil)
                print("\(listings) listing(s), \(books) book(s), \(commands) command(s): \(clean ? "replay clean" : "DIFFERENCES FOUND")")
            }
            if !clean { throw ExitCode(1) }
        }

        /// Prints a book's replay (a clean one only when not `quiet`); false when it differs.
        static func report(_ book: BookReplay, listing: Int64, quiet: Bool) -> Bool {
            guard let difference = book.firstDifference else {
                if !quiet { print("listing \(listing), \(book.mode.rawValue): \(book.commandCount) command(s) replay clean") }
                return true
            }
            print("listing \(listing), \(book.mode.rawValue): command \(difference.commandID) of \(book.commandCount) differs")
            print("  recorded: \(difference.recorded)")
            print("  replayed: \(difference.replayed)")
            return false
        }
    }
}
