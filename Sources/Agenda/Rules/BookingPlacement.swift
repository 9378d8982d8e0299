import Foundation

/// Where and when a booking may be placed, as pure rules over the agenda's facts.
///
/// The no-double-booking invariant is not here: the store enforces it inside the write
/// transaction (a trigger), where concurrent requests cannot slip between check and write.
public enum BookingPlacement {
    /// Longest appointment accepted.
    public static let maximumDuration: TimeInterval = 4 * 3600
    public static let minimumDuration: TimeInterval = 5 * 60

    /// Throws unless `span` is in the future, on a day that is not a closed public holiday,
    /// within one opening range of its day, clear of closures, and inside `window` when the
    /// booking belongs to one.
    public static func check(
        span: TimeSpan, window: TimeSpan?, opening: OpeningCalendar, zone: StructureTimeZone, closures: [Closure], now: Date
    ) throws(AgendaError) {
        guard span.start < span.end else { throw AgendaError.endBeforeStart }
        guard span.duration >= minimumDuration, span.duration <= maximumDuration else {
            throw AgendaError.invalidField("end", french: "Un rendez-vous dure de 5 minutes à 4 heures.", english: "An appointment lasts from 5 minutes to 4 hours.")
        }
        guard span.start >= now else { throw AgendaError.inThePast }
        let date = zone.localDate(span.start)
        if let holiday = opening.closedHoliday(date) { throw AgendaError.publicHoliday(date, name: holiday) }
        guard opening.isOpen(span, zone: zone) else { throw AgendaError.outsideOpeningHours }
        if let closure = closures.first(where: { !$0.withdrawn && $0.span.overlaps(span) }) {
            throw AgendaError.duringClosure(reason: closure.reason)
        }
        if let window, !window.contains(span) {
            throw AgendaError(
                code: "outside_window", kind: .invalid,
                french: "Ce créneau n'est pas compris dans la permanence ou le créneau visio choisi.",
                english: "This time is not within the chosen permanence or visio slot.")
        }
    }

    /// Active bookings that a closure over `span` would hit, so the usagers can be warned.
    public static func hitBy(_ span: TimeSpan, bookings: [Booking]) -> [Booking] {
        bookings.filter { ($0.status == .booked || $0.status == .checkedIn) && $0.span.overlaps(span) }
    }
}
