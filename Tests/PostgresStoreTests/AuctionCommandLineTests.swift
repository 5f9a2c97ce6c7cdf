import Foundation
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// `techmarket deposits receive`, `auctions close-due` and `auctions replay`, run as the built
/// binary against a lot driven through the use cases: the replay is clean until a recorded
/// event is altered, and then names the command; the ledger verifies.
@Suite struct AuctionCommandLineTests {
    @Test func depositsCloseDueAndReplayFromTheCommandLine() async throws {
        try await TestDatabase.with { database in
            let url = database.conninfo
            let cli = CommandLineTests()
            let pool = database.pool(size: 2)
            let store = PostgresMarketStore(pool: pool)
            let received = try cli.run(["deposits", "receive", "--firm", "deqing-xingtu", "--amount", "20000000", "--reference", "ICBC-0001", "--database-url", url])
            #expect(received.status == 0, "\(received.error)")
            #expect(received.output.contains("200,000.00"), "\(received.output)")
            let again = try cli.run(["deposits", "receive", "--firm", "deqing-xingtu", "--amount", "20000000", "--reference", "ICBC-0001", "--database-url", url])
            #expect(again.status == 0, "the same reference is the same receipt: \(again.error)")
            let clash = try cli.run(["deposits", "receive", "--firm", "deqing-xingtu", "--amount", "1", "--reference", "ICBC-0001", "--database-url", url])
            #expect(clash.status != 0 && clash.error.contains("ICBC-0001"), "\(clash.error)")

            // A lot of a published listing, closing a minute after it starts.
            let clock = AuctionTestClock()
            let t0 = clock.read()
            let opened = try await AuctionTestLot.english(pool, clock: clock)
            let (lot, service) = (opened.lot, opened.service)
            let firm = try #require(try await store.party(handle: "deqing-xingtu"))
            _ = try await service.register(for: lot.id, by: .commandLine(actingFor: firm))
            clock.advance(to: t0.addingTimeInterval(130))
            _ = try await service.bid(on: lot.id, .amount(2_000_000_00), by: .commandLine(actingFor: firm))

            // The CLI's clock is the real one: nothing is due yet.
            let notYet = try cli.run(["auctions", "close-due", "--database-url", url])
            #expect(notYet.status == 0 && notYet.output.hasPrefix("0 lot(s) closed"), "\(notYet.output)\(notYet.error)")
            clock.advance(to: t0.addingTimeInterval(180))
            #expect(try await service.closeDue().closed == 0, "the bid 50 s before the end moved it 5 minutes past the bid")
            clock.advance(to: t0.addingTimeInterval(130 + 300))
            #expect(try await service.closeDue().sold == 1)

            let replay = try cli.run(["auctions", "replay", String(lot.id.value), "--database-url", url])
            #expect(replay.status == 0, "\(replay.output)\(replay.error)")
            #expect(replay.output.contains("3 command(s) replay clean"), "\(replay.output)")
            let verify = try cli.run(["ledger", "verify", "--database-url", url])
            #expect(verify.status == 0 && verify.output.contains("result     clean"), "\(verify.output)")

            // The record refuses a change; past the trigger, the replay names the changed command.
            await #expect(throws: PostgresError.self) {
                try await pool.withConnection { _ = try $0.query("UPDATE lot_commands SET events = 'x' WHERE lot_id = $1", lot.id.value) }
            }
            try await pool.withConnection { connection in
                _ = try connection.query("ALTER TABLE lot_commands DISABLE TRIGGER lot_commands_kept")
                _ = try connection.query("UPDATE lot_commands SET events = replace(events, 'price=200000000', 'price=190000000') WHERE lot_id = $1", lot.id.value)
                _ = try connection.query("ALTER TABLE lot_commands ENABLE TRIGGER lot_commands_kept")
            }
            let tampered = try cli.run(["auctions", "replay", String(lot.id.value), "--database-url", url])
            #expect(tampered.status == 1, "\(tampered.output)")
            #expect(tampered.output.contains("command 2 of 3 differs"), "\(tampered.output)")
            await pool.close()
        }
    }
}
