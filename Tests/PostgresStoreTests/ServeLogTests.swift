import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Market
import PostgresStore
import Testing
import TestSupport

/// `serve --log-format json` against the live server: every line is one JSON object, every line
/// of a request carries the id the client got in `X-Request-Id`, and no line holds the caller's
/// key or anything of the request's body.
@Suite struct ServeLogTests {
    @Test func jsonLinesCarryTheRequestIdAndNeverTheKeyOrTheBody() async throws {
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("serve-json-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: logFile) }
        let log = try FileHandle(forWritingTo: logFile)
        let marker = "logmark\(UInt32.random(in: 1...UInt32.max))"
        var requestIDs: [String] = []
        var key = ""
        try await TestDatabase.with { database in
            let pool = database.pool(size: 1)
            key = try await PostgresMarketStore(pool: pool).issueKey(role: .admin, party: nil, label: "log test").key
            await pool.close()
            let port = 22_000 + Int.random(in: 0..<2_000)
            try await ServeDemoKeysTests.whileServing(
                ["serve", "--database-url", database.conninfo, "--port", String(port), "--demo", "--no-fixtures", "--log-format", "json"],
                port: port, log: log, logLevel: "info"
            ) {
                // A good request, a refused one whose body holds the marker, and one the body of which is not JSON.
                let bodies: [(String, String, String?)] = [
                    ("GET", "/v1/me", nil),
                    ("POST", "/v1/parties", #"{"handle": "\#(marker)", "kind": "firm", "name": "\#(marker)", "regionCode": "999999"}"#),
                    ("POST", "/v1/parties", "\(marker) is not JSON"),
                ]
                for (method, path, body) in bodies {
                    var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
                    request.httpMethod = method
                    request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    request.httpBody = body.map { Data($0.utf8) }
                    let (_, response) = try await URLSession.shared.data(for: request)
                    let http = try #require(response as? HTTPURLResponse)
                    requestIDs.append(try #require(http.value(forHTTPHeaderField: "X-Request-Id")))
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        try log.close()
        let text = try String(contentsOf: logFile, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count > 3, "\(text)")
        var seenIDs: Set<String> = []
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["ts"] is String && object?["level"] is String && object?["msg"] is String, "not a JSON log line: \(line)")
            if let id = object?["hb.request.id"] as? String { seenIDs.insert(id) }
            if object?["msg"] as? String == "request" {
                #expect(object?["hb.request.id"] is String && object?["status"] is String && object?["path"] is String, "\(line)")
            }
        }
        for id in requestIDs { #expect(seenIDs.contains(id), "no line carries request id \(id): \(text)") }
        #expect(!text.contains(key), "a line holds the caller's key: \(text)")
        #expect(!text.contains(marker), "a line holds the request's body: \(text)")
    }
}
