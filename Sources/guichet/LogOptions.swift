import ArgumentParser
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// How a role's log lines look: readable on a terminal, one parseable line per event under
/// systemd (journald keeps them; a collector reads logfmt or JSON).
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, logfmt, json
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--log-level` and `--log-format`, shared by the three roles (serve, station, room).
struct LogOptions: ParsableArguments {
    @Option(help: "The least severe events written: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "One line per event: text, logfmt or json (default: text on a terminal, logfmt otherwise).")
    var logFormat: LogFormat?

    /// Installs the process's log handler (once: swift-log's bootstrap is process-wide).
    func bootstrap() {
        let format = logFormat ?? (isatty(STDERR_FILENO) == 1 ? .text : .logfmt)
        let level = logLevel
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: format, logLevel: level) }
    }
}

/// Writes each event as one line on standard error (one `write`, so that lines from several
/// threads never interleave). The metadata's keys are the code's own (`guichet.…`); no request
/// body, query string, cookie or usager datum is ever passed to a logger.
struct LineLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["guichet.error"] = "\(error)" }
        let (level, message) = (event.level, event.message)
        let fields = merged.map { ($0.key, Self.flatten($0.value)) }.sorted { $0.0 < $1.0 }
        let time = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let text = Self.line(format: format, time: time, level: level, label: label, message: message.description, fields: fields)
        text.withCString { pointer in _ = write(STDERR_FILENO, pointer, strlen(pointer)) }
    }

    static func line(format: LogFormat, time: String, level: Logger.Level, label: String, message: String, fields: [(String, String)]) -> String {
        switch format {
        case .text:
            return "\(time) \(level) \(label): \(message)" + fields.map { " \($0.0)=\($0.1)" }.joined() + "\n"
        case .logfmt:
            let pairs = [("time", time), ("level", level.rawValue), ("logger", label), ("msg", message)] + fields
            return pairs.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ") + "\n"
        case .json:
            var object: [String: String] = ["time": time, "level": level.rawValue, "logger": label, "msg": message]
            for (key, value) in fields where object[key] == nil { object[key] = value }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// A logfmt value: bare when it can be, else quoted with `"` and `\` escaped; line breaks
    /// are written `\n` so that an event stays one line.
    static func logfmtValue(_ value: String) -> String {
        let bare = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 32 && $0 != "\"" && $0 != "=" && $0 != "\\" && $0.value != 127 }
        if bare { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar.value < 32 ? " " : scalar)
            }
        }
        return out + "\""
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let item): item.description
        case .array(let items): "[" + items.map(flatten).joined(separator: ",") + "]"
        case .dictionary(let items): "{" + items.sorted { $0.key < $1.key }.map { "\($0.key)=\(flatten($0.value))" }.joined(separator: ",") + "}"
        }
    }
}
