import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Store
import StructureConfig

/// What every console page shares, in three parts: the layout (here: the page inside the
/// navigation), French display (`ConsoleKit+Display`) and the structure's names
/// (`ConsoleKit+Names`). The guards are not here: they are the console's route groups
/// (`ConsoleContext`, `ManagerOnly`, `ConsoleFormGuard`).
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
        all["nav"] = Self.sections.filter { section in
            switch section.id {
            case "network": agent.role == .coordinator && office.networkOverview != nil
            default: !section.managerOnly || agent.role == .manager
            }
        }.map {
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
        ("self-booking", "/console/rendez-vous-en-ligne", "Rendez-vous en ligne", true),
        ("agents", "/console/agents", "Comptes", true),
        ("devices", "/console/devices", "Postes", true),
        ("network", "/console/reseau", "Réseau", false),
    ]
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// A type whose pages use the console's layout and display.
protocol ConsolePagesUser {
    var office: Office { get }
    var pages: WebPages { get }
}

extension ConsolePagesUser {
    var kit: ConsoleKit { ConsoleKit(office: office, pages: pages) }
}

/// One section of the console: its routes on the agents' group and on the managers'.
protocol ConsoleSection: ConsolePagesUser {
    init(office: Office, pages: WebPages)
    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>)
}
