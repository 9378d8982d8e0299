import Foundation

/// The station's secrets: the supervisor's key (a file only the daemon's user reads), each
/// session's cookie secret and one-time ticket.
public enum StationSecrets {
    /// 256 random bits, in hex.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// Compares without stopping at the first difference.
    public static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A session id as `StationService` makes them: `k` and 16 hex digits.
    public static func isSessionID(_ id: String) -> Bool {
        id.count == 17 && id.first == "k" && id.dropFirst().allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    public static func supervisorKeyFile(data: URL, station: String) -> URL {
        data.appendingPathComponent("stations").appendingPathComponent(station).appendingPathComponent("supervisor.key")
    }

    /// The station's supervisor key, created (0600) on the daemon's first start; `guichet
    /// station` reads the same file.
    public static func supervisorKey(data: URL, station: String, create: Bool) throws -> String {
        let file = supervisorKeyFile(data: data, station: station)
        if let text = try? String(contentsOf: file, encoding: .utf8), text.trimmingCharacters(in: .whitespacesAndNewlines).count >= 32 {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard create else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: file.path]) }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = random()
        guard FileManager.default.createFile(atPath: file.path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        return key
    }
}
