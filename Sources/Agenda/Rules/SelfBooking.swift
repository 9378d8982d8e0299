import Foundation

/// What usagers may book themselves (on the public page), as the manager sets it in the
/// console: which partners, which kinds, how far ahead, with how much notice.
public struct SelfBookingPolicy: Sendable, Hashable {
    public var enabled: Bool
    /// Partners whose permanences and visio slots are offered (an agent's room slots need none).
    public var partners: Set<String>
    public var kinds: Set<BookingKind>
    public var horizonDays: Int
    public var minimumNoticeHours: Int

    public init(enabled: Bool = false, partners: Set<String> = [], kinds: Set<BookingKind> = [.permanence, .visio], horizonDays: Int = 28, minimumNoticeHours: Int = 24) {
        self.enabled = enabled
        self.partners = partners
        self.kinds = kinds
        self.horizonDays = horizonDays
        self.minimumNoticeHours = minimumNoticeHours
    }

    /// What a usager who has not booked yet may hold at once, per phone or e-mail.
    public static let futureBookingsPerContact = 2
    public static let horizonRange = 1...92
    public static let noticeRange = 0...336

    public func validate(partnerIDs: Set<String>) throws(AgendaError) {
        guard Self.horizonRange.contains(horizonDays) else {
            throw .invalidField("horizonDays", french: "L’horizon va de 1 à 92 jours.", english: "The horizon is 1 to 92 days.")
        }
        guard Self.noticeRange.contains(minimumNoticeHours) else {
            throw .invalidField("minimumNoticeHours", french: "Le délai de prévenance va de 0 à 336 heures (14 jours).", english: "The minimum notice is 0 to 336 hours (14 days).")
        }
        if let unknown = partners.subtracting(partnerIDs).sorted().first {
            throw .unknownReference("partners", what: "partner", id: unknown)
        }
        if enabled && kinds.isEmpty {
            throw .invalidField("kinds", french: "Choisissez au moins un type de rendez-vous.", english: "Choose at least one kind of appointment.")
        }
    }

    /// The last day a usager may book, counting today as the first.
    public func lastDay(today: LocalDate) -> LocalDate { today.adding(days: horizonDays - 1) }

    /// Whether a free slot may be offered to, or taken by, a usager now.
    public func allows(_ slot: FreeSlot, zone: StructureTimeZone, now: Date) -> Bool {
        allows(kind: slot.kind, partner: slot.partner, span: slot.span, zone: zone, now: now)
    }

    public func allows(kind: BookingKind, partner: String, span: TimeSpan, zone: StructureTimeZone, now: Date) -> Bool {
        enabled && kinds.contains(kind) && (kind == .room || partners.contains(partner))
            && span.start >= now.addingTimeInterval(TimeInterval(minimumNoticeHours) * 3600)
            && zone.localDate(span.start) <= lastDay(today: zone.localDate(now))
    }
}

/// The short personal code a usager sees, moves or cancels a self-booking with: 8 characters
/// without the ones read alike (0/O, 1/I/L, U/V), shown as two groups of four (about 39 bits,
/// and wrong guesses are limited per address).
public enum SelfBookingCode {
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTWXYZ")

    public static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// As typed: lower case, spaces and dashes accepted; nil when it cannot be a code.
    public static func normalised(_ typed: String) -> String? {
        let kept = typed.uppercased().filter { $0 != " " && $0 != "-" }
        guard kept.count == 8, kept.allSatisfy(alphabet.contains) else { return nil }
        return kept
    }

    public static func display(_ code: String) -> String { "\(code.prefix(4))-\(code.dropFirst(4))" }

    /// The key the per-contact limit counts by: the phone's digits (a French 0 and +33 alike)
    /// or the lower-cased e-mail.
    public static func contactKey(_ usager: Usager) -> String? {
        if let email = usager.email, !email.isEmpty { return "e:" + email.lowercased() }
        if let phone = usager.phone {
            var digits = phone.filter(\.isASCIIDigit)
            if digits.hasPrefix("33") && digits.count == 11 { digits = "0" + digits.dropFirst(2) }
            if !digits.isEmpty { return "p:" + digits }
        }
        return nil
    }
}
