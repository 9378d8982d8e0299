import Foundation

/// Where a booking stands. `cancelled` frees its resources; the others keep them
/// (past appointments stay on the record for reporting).
public enum BookingStatus: String, Sendable, CaseIterable {
    case booked
    case checkedIn = "checked-in"
    case noShow = "no-show"
    case done
    case cancelled
}

/// What can happen to a booking.
public enum BookingEvent: String, Sendable, CaseIterable {
    case reschedule, cancel, checkIn = "check-in", noShow = "no-show", done
}

extension BookingStatus {
    /// The status after `event` at `now` for a booking over `span`, or the reason it cannot happen.
    ///
    /// - reschedule and cancel only before the appointment starts;
    /// - check-in from two hours before the start until the end;
    /// - no-show once the start has passed, for a usager who never checked in;
    /// - done once checked in.
    public func applying(_ event: BookingEvent, span: TimeSpan, now: Date) throws(AgendaError) -> BookingStatus {
        switch (self, event) {
        case (.booked, .reschedule):
            guard now < span.start else { throw refuse(event, french: "le rendez-vous a déjà commencé", english: "the appointment has already started") }
            return .booked
        case (.booked, .cancel):
            guard now < span.end else { throw refuse(event, french: "le rendez-vous est terminé", english: "the appointment is over") }
            return .cancelled
        case (.booked, .checkIn):
            guard now >= span.start.addingTimeInterval(-2 * 3600), now < span.end else {
                throw refuse(event, french: "l'accueil se fait le jour même, à partir de deux heures avant", english: "check-in opens two hours before the appointment")
            }
            return .checkedIn
        case (.booked, .noShow):
            guard now >= span.start else { throw refuse(event, french: "le rendez-vous n'a pas encore commencé", english: "the appointment has not started yet") }
            return .noShow
        case (.checkedIn, .done):
            return .done
        default:
            throw refuse(event, french: "impossible depuis l'état « \(rawValue) »", english: "not possible from status '\(rawValue)'")
        }
    }

    private func refuse(_ event: BookingEvent, french: String, english: String) -> AgendaError {
        AgendaError(
            code: "invalid_transition", kind: .conflict,
            french: "Action « \(event.rawValue) » refusée : \(french).",
            english: "Action '\(event.rawValue)' refused: \(english).",
            details: ["status": rawValue, "event": event.rawValue])
    }
}
