import EmbeddedPostgres
import Foundation
import Testing

@Suite struct EmbeddedPostgresTests {
    @Test func startTwiceThenStopTwice() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tm-embedded-\(UUID().uuidString.prefix(8))")
        let cluster = try EmbeddedPostgres(directory: folder, durable: false)
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: cluster.directory)
            try? FileManager.default.removeItem(atPath: cluster.directory.path + ".lock")
        }
        #expect(!cluster.isInitialized)
        #expect(!cluster.isRunning)
        try cluster.start()
        #expect(cluster.isInitialized)
        #expect(cluster.isRunning)
        #expect(FileManager.default.fileExists(atPath: cluster.socketDirectory.appendingPathComponent(".s.PGSQL.\(cluster.port)").path))
        // A second start, from this process or another, is harmless.
        try cluster.start()
        let again = try EmbeddedPostgres(directory: folder, durable: false)
        try again.start()
        #expect(again.directory == cluster.directory)
        try cluster.stop()
        #expect(!cluster.isRunning)
        try cluster.stop()
        // And it starts again on the existing data.
        try cluster.start()
        #expect(cluster.isRunning)
    }

    @Test func missingPostgreSQLNamesThePackage() throws {
        let empty = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tm-empty-\(UUID().uuidString.prefix(8))")
        let error = #expect(throws: EmbeddedPostgresError.self) {
            try EmbeddedPostgres.Binaries.locate(environment: ["PATH": empty.path], pgConfigPaths: [], versionedRoot: empty.path)
        }
        #expect(error?.description.contains("apt-get install -y postgresql") == true)
    }

    @Test func findsTheInstalledBinaries() throws {
        let binaries = try EmbeddedPostgres.Binaries.locate()
        #expect(FileManager.default.isExecutableFile(atPath: binaries.initdb.path))
        #expect(FileManager.default.isExecutableFile(atPath: binaries.pgCtl.path))
    }
}

@Suite struct LongPathTests {
    @Test func aFolderTooLongForASocketStillStarts() throws {
        let deep = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("tm-long-\(UUID().uuidString.prefix(8))")
            .appendingPathComponent(String(repeating: "a-rather-long-folder-name-", count: 4))
        let cluster = try EmbeddedPostgres(directory: deep, durable: false)
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: cluster.directory.deletingLastPathComponent())
            try? FileManager.default.removeItem(atPath: cluster.socketDirectory.path)
            try? FileManager.default.removeItem(at: cluster.socketDirectory)
        }
        #expect(cluster.socketDirectory.path.hasPrefix("/tmp/techmarket-socket-"))
        try cluster.start()
        #expect(cluster.isRunning)
    }
}
