import Agenda
import Foundation

/// How the console writes times, dates, statuses and refusals in French.
extension ConsoleKit {
    /// The message for an agenda refusal, in French with the rule it names.
    static func describe(_ error: any Error) -> String? {
        if let error = error as? AgendaError { return error.french }
        if let error = error as? APIError { return error.french }
        return nil
    }

    func time(_ instant: Date) -> String { zone.local(instant).time.description }

    func dayTitle(_ date: LocalDate) -> String {
        date.frenchLong.capitalizedFirst
    }

    func dateTime(_ instant: Date) -> String {
        let local = zone.local(instant)
        return "\(local.date.frenchLong) à \(local.time)"
    }

    /// The bookings an agenda change hits, with what is needed to warn each usager.
    func warningRows(_ bookings: [Booking]) -> [[String: Any]] {
        bookings.map { ["name": $0.usager?.name ?? "", "when": dateTime($0.span.start), "phone": $0.usager?.phone ?? "", "email": $0.usager?.email ?? ""] }
    }

    static func statusFrench(_ status: BookingStatus) -> String {
        switch status {
        case .booked: "Attendu"
        case .checkedIn: "Arrivé"
        case .noShow: "Absent"
        case .done: "Terminé"
        case .cancelled: "Annulé"
        }
    }

    static func kindFrench(_ kind: BookingKind) -> String {
        switch kind {
        case .permanence: "Permanence"
        case .visio: "Visio"
        case .room: "Avec un agent"
        }
    }
}
