import ArgumentParser
import Foundation
import Logging

/// How a log line is written: logfmt for people and grep, JSON lines for log pipelines.
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    /// `ts=… level=info msg="…" key=value …`
    case logfmt
    /// `{"level":"info","msg":"…","ts":"…","key":"value",…}`, keys sorted.
    case json
}

/// Writes one line per event to standard error in `format`. The server's lines carry what the
/// code put in their metadata and nothing else: a request's line has its id (`hb.request.id`,
/// from Hummingbird's request logger), method, path, status and time, never its key or body;
/// a metadata value under a name that says it is a secret is written as `[redacted]`, in case
/// one is ever logged by mistake.
struct LineLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, format: LogFormat) {
        self.label = label
        self.format = format
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Metadata names whose values are never written (lowercased, matched as parts of the name).
    static let secretNameParts = ["authorization", "password", "secret", "token", "apikey", "api_key", "api.key"]

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        var fields: [(String, String)] = [("ts", Date().formatted(.iso8601)), ("level", event.level.rawValue), ("msg", "\(event.message)")]
        for key in merged.keys.sorted() {
            let lowered = key.lowercased()
            let secret = Self.secretNameParts.contains { lowered.contains($0) }
            fields.append((key, secret ? "[redacted]" : "\(merged[key]!)"))
        }
        FileHandle.standardError.write(Data((Self.line(fields, format: format) + "\n").utf8))
    }

    /// One line of `fields`, in order for logfmt, keys sorted for JSON.
    static func line(_ fields: [(String, String)], format: LogFormat) -> String {
        switch format {
        case .logfmt:
            return fields.map { "\($0.0)=\(quote($0.1))" }.joined(separator: " ")
        case .json:
            let object = Dictionary(fields, uniquingKeysWith: { _, new in new })
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
                return #"{"level":"error","msg":"a log line could not be written as JSON"}"#
            }
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func quote(_ value: String) -> String {
        if !value.isEmpty, !value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
