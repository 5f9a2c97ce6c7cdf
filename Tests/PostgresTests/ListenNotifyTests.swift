import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ListenNotifyTests {
    @Test func notificationsArriveAfterCommitOnly() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let listener = PostgresListener(conninfo: database.conninfo, channels: ["lot_events"])
            defer { listener.stop() }
            #expect(await listener.waitUntilListening())
            let pool = database.pool(size: 1)
            struct Abort: Error {}
            try? await pool.withTransaction { connection in
                try connection.notify("lot_events", payload: "rolled back")
                throw Abort()
            }
            try await pool.withTransaction { try $0.notify("lot_events", payload: "拍卖 bid 1") }
            try await pool.withConnection { try $0.notify("lot_events", payload: "bid 2") }
            var received: [String] = []
            while received.count < 2, let notification = await listener.next(timeoutMs: 10_000) {
                #expect(notification.channel == "lot_events")
                received.append(notification.payload)
            }
            #expect(received == ["拍卖 bid 1", "bid 2"])
            await pool.close()
        }
    }

    @Test func connectionLevelWait() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let listener = try PostgresConnection(conninfo: database.conninfo)
            let sender = try PostgresConnection(conninfo: database.conninfo)
            defer { listener.close(); sender.close() }
            try listener.listen("Mixed Case")
            #expect(try listener.notifications(timeoutMs: 10).isEmpty)
            try sender.notify("Mixed Case", payload: "p")
            var got: [PostgresNotification] = []
            for _ in 0..<20 where got.isEmpty { got = try listener.notifications(timeoutMs: 100) }
            #expect(got.map(\.payload) == ["p"])
            #expect(got.first?.senderProcessID == sender.backendProcessID)
        }
    }
}

extension PostgresListener {
    /// The next notification, or nil when none arrives within `timeoutMs`. A timeout cancels the
    /// waiting iterator, which ends the stream: fine for a test that gives up.
    func next(timeoutMs: Int) async -> PostgresNotification? {
        await withTaskGroup(of: PostgresNotification?.self) { group in
            group.addTask { [notifications] in
                for await notification in notifications { return notification }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(timeoutMs))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
