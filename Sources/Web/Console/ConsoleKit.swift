import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Store
import StructureConfig

/// What every console page shares: the layout's context, and French display of times and
/// names. (The guards are the console's route groups: `ConsoleContext`, `ManagerOnly`,
/// `ConsoleFormGuard`.)
struct ConsoleKit: Sendable {
    let office: Office
    let pages: WebPages

    var zone: StructureTimeZone { office.structure.timeZone }

    // MARK: rendering

    /// Renders `template` inside the layout with the navigation for `agent`.
    func page(
        _ template: String, title: String, section: String, context: ConsoleContext, _ values: [String: Any] = [:],
        notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let agent = context.agent
        var all = values
        all["title"] = title
        all["structure"] = office.structure.name
        all["agentName"] = agent.displayName
        all["isManager"] = agent.role == .manager
        all["csrf"] = context.csrf
        all["notice"] = notice ?? false
        all["error"] = error ?? false
        all["nav"] = Self.sections.filter { !$0.managerOnly || agent.role == .manager }.map {
            ["href": $0.href, "label": $0.label, "current": $0.id == section]
        }
        return pages.console.page(template, all, status: status)
    }

    static let sections: [(id: String, href: String, label: String, managerOnly: Bool)] = [
        ("today", "/console", "Aujourd’hui", false),
        ("week", "/console/week", "Semaine", false),
        ("book", "/console/book", "Prendre rendez-vous", false),
        ("contact", "/console/contacts/new", "Noter une visite", false),
        ("referrals", "/console/referrals", "Orientations", false),
        ("mandates", "/console/mandates", "Mandats", false),
        ("visio", "/console/visio", "Visio", false),
        ("messages", "/console/messages", "Messages", false),
        ("reports", "/console/reports", "Rapports", false),
        ("hours", "/console/hours", "Horaires et fermetures", false),
        ("permanences", "/console/permanences", "Permanences", false),
        ("agents", "/console/agents", "Comptes", true),
    ]

    /// The message for an agenda refusal, in French with the rule it names.
    static func describe(_ error: any Error) -> String? {
        if let error = error as? AgendaError { return error.french }
        if let error = error as? APIError { return error.french }
        return nil
    }

    // MARK: display

    func time(_ instant: Date) -> String { zone.local(instant).time.description }

    func dayTitle(_ date: LocalDate) -> String {
        "\(date.weekday.french.capitalizedFirst) \(date.day) \(Self.months[date.month - 1]) \(date.year)"
    }

    func dateTime(_ instant: Date) -> String {
        let local = zone.local(instant)
        return "\(local.date.weekday.french) \(local.date.day) \(Self.months[local.date.month - 1]) \(local.date.year) à \(local.time)"
    }

    /// The bookings an agenda change hits, with what is needed to warn each usager.
    func warningRows(_ bookings: [Booking]) -> [[String: Any]] {
        bookings.map { ["name": $0.usager?.name ?? "", "when": dateTime($0.span.start), "phone": $0.usager?.phone ?? "", "email": $0.usager?.email ?? ""] }
    }

    static let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]

    func partnerName(_ id: String?) -> String {
        guard let id, !id.isEmpty else { return "Agent France Services" }
        return office.structure.partners.first { $0.id == id }?.name ?? id
    }

    func roomName(_ id: String) -> String { office.structure.rooms.first { $0.id == id }?.name ?? id }

    func situationTitle(_ id: String?) -> String? {
        id.flatMap { id in office.structure.lifeSituations.first { $0.id == id }?.titleFrench }
    }

    var partnerOptions: [[String: Any]] {
        office.structure.partners.map { ["id": $0.id, "name": $0.name] }
    }

    var situationOptions: [[String: Any]] {
        office.structure.lifeSituations.map { ["id": $0.id, "title": $0.titleFrench] }
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

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
