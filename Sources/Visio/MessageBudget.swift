import Foundation

/// A flood guard per connection: a bucket of `burst` messages refilled at `perSecond`.
public struct MessageBudget: Sendable {
    let perSecond: Double
    let burst: Double
    private var tokens: Double
    private var last: Date?

    public init(perSecond: Double = 50, burst: Double = 200) {
        self.perSecond = perSecond
        self.burst = burst
        tokens = burst
    }

    public mutating func spend(at now: Date) -> Bool {
        if let last { tokens = min(burst, tokens + now.timeIntervalSince(last) * perSecond) }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// When a specialist's link works: from `early` before the slot to its end, never for a
/// cancelled booking.
public enum JoinWindow: Equatable, Sendable {
    case tooEarly(opensAt: Date)
    case open
    case closed

    public static func at(_ now: Date, start: Date, end: Date, early: TimeInterval, cancelled: Bool) -> JoinWindow {
        if cancelled || now >= end { return .closed }
        if now < start.addingTimeInterval(-early) { return .tooEarly(opensAt: start.addingTimeInterval(-early)) }
        return .open
    }
}
