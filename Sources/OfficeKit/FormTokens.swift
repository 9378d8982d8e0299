import Foundation
import Store
import Synchronization

/// One-use tokens for the public forms (contact, self-booking), and per-address limits. A robot that
/// posts without loading the form, or faster than a person types, or again and again, is
/// refused — without any third-party service. Kept in memory: a restart only asks the
/// sender to press "Envoyer" once more.
public final class FormTokens: Sendable {
    public static let minimumAge: TimeInterval = 3
    public static let maximumAge: TimeInterval = 2 * 3600
    public static let perAddressPerHour = 5
    public static let capacity = 10_000

    private let issued = Mutex<[String: Date]>([:])
    private let sends = Mutex<[String: [Date]]>([:])

    public init() {}

    public func issue(now: Date) -> String {
        let token = Identifier.secret()
        issued.withLock { issued in
            if issued.count >= Self.capacity { issued = issued.filter { now.timeIntervalSince($0.value) < Self.maximumAge } }
            if issued.count >= Self.capacity { issued.removeAll() }
            issued[token] = now
        }
        return token
    }

    public enum Verdict: Equatable { case fresh, tooFast, unknownOrExpired }

    /// Consumes the token: accepted once only.
    public func redeem(_ token: String, now: Date) -> Verdict {
        issued.withLock { issued in
            guard let at = issued[token], now.timeIntervalSince(at) <= Self.maximumAge else { return .unknownOrExpired }
            if now.timeIntervalSince(at) < Self.minimumAge { return .tooFast }
            issued[token] = nil
            return .fresh
        }
    }

    /// Records a send from `address`; false when the address has sent too many this hour.
    public func allowSend(from address: String, now: Date) -> Bool {
        allow("contact \(address)", perHour: Self.perAddressPerHour, now: now)
    }

    /// Records one more `key` (an action and an address); false when it came `perHour` times this hour.
    public func allow(_ key: String, perHour: Int, now: Date) -> Bool {
        sends.withLock { sends in
            var recent = (sends[key] ?? []).filter { now.timeIntervalSince($0) < 3600 }
            guard recent.count < perHour else { return false }
            recent.append(now)
            if sends.count >= Self.capacity { sends.removeAll() }
            sends[key] = recent
            return true
        }
    }
}
