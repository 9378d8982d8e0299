import Foundation

/// A half-open stretch of time `[start, end)` between two instants.
public struct TimeSpan: Hashable, Sendable, CustomStringConvertible {
    public let start: Date
    public let end: Date

    /// Builds a span; callers validate `start < end` where it comes from outside.
    public init(_ start: Date, _ end: Date) {
        self.start = start
        self.end = end
    }

    public var duration: TimeInterval { end.timeIntervalSince(start) }
    public var isEmpty: Bool { end <= start }

    public func overlaps(_ other: TimeSpan) -> Bool { start < other.end && other.start < end }

    public func contains(_ other: TimeSpan) -> Bool { start <= other.start && other.end <= end }

    public func contains(_ instant: Date) -> Bool { start <= instant && instant < end }

    public func intersection(_ other: TimeSpan) -> TimeSpan? {
        let s = max(start, other.start)
        let e = min(end, other.end)
        return s < e ? TimeSpan(s, e) : nil
    }

    /// What is left of `self` once every span of `busy` is removed, in order.
    public func subtracting(_ busy: [TimeSpan]) -> [TimeSpan] {
        var free: [TimeSpan] = [self]
        for b in busy.sorted(by: { $0.start < $1.start }) where b.overlaps(self) {
            guard let last = free.popLast() else { break }
            if last.start < b.start { free.append(TimeSpan(last.start, min(b.start, last.end))) }
            if b.end < last.end { free.append(TimeSpan(max(b.end, last.start), last.end)) }
        }
        return free.filter { !$0.isEmpty }
    }

    public var description: String { "[\(start) – \(end))" }
}
