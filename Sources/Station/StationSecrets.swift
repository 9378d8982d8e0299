import Foundation

/// The station's secrets: each session's cookie secret and one-time ticket (the device's
/// credential is made the same way).
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
}
