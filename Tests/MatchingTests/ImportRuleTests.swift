import Foundation
import Testing

/// The Matching module may import nothing but the standard library: no Foundation, no Glibc.
@Suite struct ImportRuleTests {
    /// The modules named by `import` declarations in `source`, whatever attributes or kinds precede them.
    static func importedModules(in source: String) -> [String] {
        var modules: [String] = []
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            var words = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.first?.hasPrefix("//") == true { continue }
            // Drop attributes (@testable, @_exported, @preconcurrency, @_implementationOnly) and access levels.
            while let first = words.first, first.hasPrefix("@") || ["public", "package", "internal", "fileprivate", "private"].contains(first) {
                words.removeFirst()
            }
            guard words.first == "import", words.count >= 2 else { continue }
            var name = words[1]
            if ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"].contains(name), words.count >= 3 {
                name = words[2]
            }
            modules.append(String(name.split(separator: ".").first ?? ""))
        }
        return modules
    }

    @Test("the scanner finds every form of import")
    func scannerWorks() {
        let sample = """
        import Foundation
        @preconcurrency import Glibc
        public import struct Darwin.timeval
        // import CommentedOut
        let notAnImport = 1
        import Swift
        """
        #expect(Self.importedModules(in: sample) == ["Foundation", "Glibc", "Darwin", "Swift"])
    }

    @Test("Sources/Matching imports only the standard library")
    func onlyStandardLibrary() throws {
        let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let sources = testsDirectory.appendingPathComponent("../../Sources/Matching").standardizedFileURL
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 5, "expected the Matching sources at \(sources.path)")
        for file in files {
            let text = try String(contentsOfFile: sources.appendingPathComponent(file).path, encoding: .utf8)
            let forbidden = Self.importedModules(in: text).filter { $0 != "Swift" }
            #expect(forbidden.isEmpty, "\(file) imports \(forbidden)")
        }
    }
}
