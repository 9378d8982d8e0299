import Foundation

/// An exceptional closure of the structure (staff training, strike, works…).
public struct Closure: Sendable, Hashable, Identifiable {
    public var id: String
    public var span: TimeSpan
    public var reason: String
    public var announcedAt: Date
    /// Announced with less than the required notice because it could not be foreseen;
    /// recorded and shown to the public as such.
    public var emergency: Bool
    public var withdrawn: Bool
    /// Rises with every change, for calendar clients (RFC 5545 SEQUENCE).
    public var sequence: Int

    public init(id: String, span: TimeSpan, reason: String, announcedAt: Date, emergency: Bool, withdrawn: Bool = false, sequence: Int = 0) {
        self.id = id
        self.span = span
        self.reason = reason
        self.announcedAt = announcedAt
        self.emergency = emergency
        self.withdrawn = withdrawn
        self.sequence = sequence
    }
}

/// Charte France Services: exceptional closures are announced to the public at least
/// one week ahead. A shorter notice is accepted only as a declared emergency.
public enum ClosureNotice {
    /// The required notice: seven days of elapsed time.
    public static let minimum: TimeInterval = 7 * 24 * 3600

    public static func check(span: TimeSpan, announcedAt now: Date, emergency: Bool) throws(AgendaError) {
        guard span.start < span.end else { throw AgendaError.endBeforeStart }
        guard span.end > now else { throw AgendaError.inThePast }
        let notice = span.start.timeIntervalSince(now)
        if notice < minimum && !emergency {
            let hours = Int(max(0, notice) / 3600)
            throw AgendaError(
                code: "closure_notice_too_short", kind: .conflict,
                french: "Une fermeture exceptionnelle s'annonce au moins 7 jours à l'avance (ici \(hours / 24) j \(hours % 24) h). Cochez « urgence » si elle ne pouvait pas être prévue.",
                english: "An exceptional closure must be announced at least 7 days ahead (here \(hours / 24) d \(hours % 24) h). Mark it as an emergency if it could not be foreseen.",
                details: ["rule": "closure-notice-7-days", "noticeHours": String(hours)])
        }
    }
}
