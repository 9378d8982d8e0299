import Foundation
import StructureConfig

/// Sends an SMS through the structure's HTTP gateway (French providers each have their own
/// API: the configuration names the address, method, headers and fields), with Debian's
/// curl: everything, the secret included, goes on curl's standard input (`--config -`), never
/// on its command line (which every user of the machine can read) nor in a log.
public struct SMSGateway: Sendable {
    public let settings: SMSSettings
    /// Read from `settings.secretFile` at start.
    let secret: String
    public var curl = "/usr/bin/curl"

    public init(settings: SMSSettings) throws {
        self.settings = settings
        if let file = settings.secretFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw PipedCommand.Failure(description: "the SMS gateway's secret file \(file) cannot be read")
            }
            secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            secret = ""
        }
    }

    /// curl's configuration for one message (what goes on its standard input).
    func curlConfig(phone: String, text: String) throws -> String {
        func fill(_ template: String) -> String {
            template.replacingOccurrences(of: "{phone}", with: phone).replacingOccurrences(of: "{text}", with: text)
                .replacingOccurrences(of: "{secret}", with: secret)
        }
        let fields = settings.fields.mapValues(fill)
        let body: String
        let type: String
        switch settings.format {
        case .json:
            body = String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
            type = "application/json"
        case .form:
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            body = fields.sorted { $0.key < $1.key }
                .map { "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                .joined(separator: "&")
            type = "application/x-www-form-urlencoded"
        }
        var lines = [
            "url = \(Self.quoted(settings.url))", "request = \(Self.quoted(settings.method))", "fail", "silent", "show-error",
            "max-time = 30", "header = \(Self.quoted("Content-Type: \(type)"))",
        ]
        for (name, value) in settings.headers.sorted(by: { $0.key < $1.key }) { lines.append("header = \(Self.quoted("\(name): \(fill(value))"))") }
        lines.append("data-binary = \(Self.quoted(body))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The configuration curl would read, for the tests.
    public func curlConfigForTests(phone: String, text: String) throws -> String { try curlConfig(phone: phone, text: text) }

    public func send(phone: String, text: String) async throws {
        let config = try curlConfig(phone: phone, text: text)
        do {
            try await PipedCommand(command: [curl, "--config", "-", "--output", "/dev/null"]).send(config)
        } catch let failure as PipedCommand.Failure {
            // curl's exit status says what failed (22: the gateway answered an HTTP error).
            throw PipedCommand.Failure(description: failure.description.replacingOccurrences(of: curl, with: "the SMS gateway (curl)"))
        }
    }

    /// A value in curl's configuration syntax: double quotes, with \\ \" \n \r \t escaped.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
