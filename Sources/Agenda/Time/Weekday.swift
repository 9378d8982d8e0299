/// A day of the week, numbered as ISO 8601 does (Monday = 1).
public enum Weekday: Int, CaseIterable, Hashable, Comparable, Sendable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// The lowercase English key used in configuration and API documents.
    public var key: String {
        switch self {
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        case .sunday: "sunday"
        }
    }

    public var french: String {
        switch self {
        case .monday: "lundi"
        case .tuesday: "mardi"
        case .wednesday: "mercredi"
        case .thursday: "jeudi"
        case .friday: "vendredi"
        case .saturday: "samedi"
        case .sunday: "dimanche"
        }
    }

    /// "Monday": the key, capitalised.
    public var english: String { key.prefix(1).uppercased() + key.dropFirst() }

    /// The two-letter day of RFC 5545 (`BYDAY=MO`).
    public var icalendar: String {
        switch self {
        case .monday: "MO"
        case .tuesday: "TU"
        case .wednesday: "WE"
        case .thursday: "TH"
        case .friday: "FR"
        case .saturday: "SA"
        case .sunday: "SU"
        }
    }

    public init?(key: String) {
        guard let day = Weekday.allCases.first(where: { $0.key == key }) else { return nil }
        self = day
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}
