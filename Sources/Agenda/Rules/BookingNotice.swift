import Foundation

/// What a usager who left an e-mail address (and asked for it) is told about their appointment.
public enum NoticeKind: String, Sendable, CaseIterable {
    /// At booking.
    case confirmation
    /// Before the appointment (48 h by default), for an appointment booked earlier than that.
    case reminder
    /// The appointment moved after the usager was told of it.
    case moved
    /// The appointment was cancelled (by the structure, a closure or the usager's call) after
    /// the usager was told of it.
    case cancelled
    /// An exceptional closure was announced over the appointment: it cannot take place as
    /// booked (an agent moves or cancels it; the usager is told at once).
    case closure
}

/// How a notice reaches the usager: each contact they left (with consent) gets its own.
public enum NoticeChannel: String, Sendable, CaseIterable {
    case email, sms
}

/// Where one notice stands: the kind, the appointment's start it speaks of (a moved
/// appointment's reminder is another notice), and how its sending went.
public struct NoticeState: Sendable, Equatable {
    public var channel: NoticeChannel
    public var kind: NoticeKind
    public var startsAt: Date
    public var sentAt: Date?
    public var gaveUpAt: Date?
    /// While an attempt is under way or failed: the next one not before.
    public var nextAttemptAt: Date

    public init(channel: NoticeChannel = .email, kind: NoticeKind, startsAt: Date, sentAt: Date? = nil, gaveUpAt: Date? = nil, nextAttemptAt: Date) {
        self.channel = channel
        self.kind = kind
        self.startsAt = startsAt
        self.sentAt = sentAt
        self.gaveUpAt = gaveUpAt
        self.nextAttemptAt = nextAttemptAt
    }

    var settled: Bool { sentAt != nil || gaveUpAt != nil }
}

/// Which notices a booking owes now. Derived from the booking itself and what was already
/// sent, whatever changed it (the console, the API, a closure): no write path has to remember
/// to queue a message, and a notice is owed until it is recorded sent or given up.
public enum NoticePlan {
    /// A booking created longer ago than this when notices were first switched on gets no
    /// confirmation (its usager was told at the desk); its reminder still goes.
    public static let confirmationFreshness: TimeInterval = 24 * 3600

    /// The notices `channel` owes (each channel keeps its own account: an e-mail sent does
    /// not stand for the SMS).
    /// `closed`: an exceptional closure (not withdrawn) overlaps the appointment.
    public static func due(
        _ booking: Booking, channel: NoticeChannel = .email, notices all: [NoticeState], now: Date, reminderLead: TimeInterval, closed: Bool = false
    ) -> [NoticeKind] {
        guard let usager = booking.usager, usager.reminderConsent, booking.span.start > now else { return [] }
        switch channel {
        case .email: guard usager.email != nil else { return [] }
        case .sms: guard usager.phone != nil else { return [] }
        }
        let notices = all.filter { $0.channel == channel }
        let start = booking.span.start
        /// Sent, given up, or being tried (its next attempt still ahead): not owed again.
        func handled(_ kind: NoticeKind, at start: Date) -> Bool {
            notices.contains { $0.kind == kind && $0.startsAt == start && ($0.settled || $0.nextAttemptAt > now) }
        }
        let told = notices.contains { ($0.kind == .confirmation || $0.kind == .moved) && $0.sentAt != nil }
        let toldOfThisStart = notices.contains { ($0.kind == .confirmation || $0.kind == .moved) && $0.startsAt == start && $0.settled }
        switch booking.status {
        case .booked:
            // Hit by a closure: that is the one thing to say (no confirmation, no reminder of a
            // time that will not happen), once per start.
            if closed { return handled(.closure, at: start) ? [] : [.closure] }
            if !told {
                let confirmationTried = notices.contains { $0.kind == .confirmation && $0.settled }
                if !confirmationTried, now.timeIntervalSince(booking.createdAt) <= confirmationFreshness, !handled(.confirmation, at: start) {
                    return [.confirmation]
                }
            } else if !toldOfThisStart, !handled(.moved, at: start) {
                return [.moved]
            }
            let remindFrom = start.addingTimeInterval(-reminderLead)
            if now >= remindFrom, booking.createdAt < remindFrom, !handled(.reminder, at: start) { return [.reminder] }
            return []
        case .cancelled:
            return told && !handled(.cancelled, at: start) ? [.cancelled] : []
        case .checkedIn, .noShow, .done:
            return []
        }
    }
}
