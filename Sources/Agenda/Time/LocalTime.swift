/// A wall-clock time of day in the structure's time zone, to the minute.
///
/// `24:00` is allowed as the end of a range that runs to midnight.
public struct LocalTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Minutes since local midnight, 0...1440.
    public let minutes: Int

    public init?(minutes: Int) {
        guard (0...1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    /// Midnight, the start of a day.
    public static let midnight = LocalTime(clampingMinutes: 0)

    /// A time computed, not read: brought into 0–1440.
    public init(clampingMinutes minutes: Int) {
        self.minutes = min(1440, max(0, minutes))
    }

    public init?(hour: Int, minute: Int) {
        guard (0...24).contains(hour), (0...59).contains(minute), hour * 60 + minute <= 1440 else { return nil }
        self.minutes = hour * 60 + minute
    }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }

    /// Parses exactly `HH:MM`.
    public init?(iso text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let h = Int(parts[0]), let m = Int(parts[1])
        else { return nil }
        self.init(hour: h, minute: m)
    }

    public var description: String { "\(LocalDate.pad(hour, 2)):\(LocalDate.pad(minute, 2))" }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minutes < rhs.minutes }
}

/// A range of wall-clock time within one day, start included, end excluded.
public struct LocalTimeRange: Hashable, Sendable, CustomStringConvertible {
    public let start: LocalTime
    public let end: LocalTime

    public init?(start: LocalTime, end: LocalTime) {
        guard start < end else { return nil }
        self.start = start
        self.end = end
    }

    public var minutes: Int { end.minutes - start.minutes }

    public func contains(_ other: LocalTimeRange) -> Bool { start <= other.start && other.end <= end }

    public func overlaps(_ other: LocalTimeRange) -> Bool { start < other.end && other.start < end }

    /// `HH:MM-HH:MM`.
    public var description: String { "\(start)-\(end)" }

    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let s = LocalTime(iso: String(parts[0])), let e = LocalTime(iso: String(parts[1])) else {
            return nil
        }
        self.init(start: s, end: e)
    }
}
