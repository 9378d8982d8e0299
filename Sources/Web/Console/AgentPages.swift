import OfficeKit
import Agenda
import StructureConfig
import Foundation
import Hummingbird
import Store

/// Accounts (managers only): list, create, disable; and the audit journal.
struct AgentPages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        managers.get("agents", use: list)
        managers.post("agents", use: add)
        managers.post("agents/{id}/disable", use: disable)
        managers.post("purge", use: purge)
    }

    func page(_ context: ConsoleContext, form: FormData?, notice: String?, error: String?) async throws -> Response {
        let agents = try await office.database.agents()
        let names = Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0.displayName) })
        let journal = try await office.database.auditJournal(limit: 50).map {
            ["at": kit.dateTime($0.at), "actor": names[$0.actor] ?? $0.actor, "action": $0.action, "target": $0.target ?? ""]
        }
        return kit.page(
            "agents", title: "Comptes et journal", section: "agents", context: context,
            [
                "agents": agents.map {
                    [
                        "id": $0.id, "login": $0.login, "name": $0.displayName,
                        "role": ($0.role == .manager ? "Responsable" : $0.role == .coordinator ? "Coordination du réseau" : "Agent") + ($0.network ? " (compte du réseau)" : ""),
                        "active": $0.active, "network": $0.network,
                        // A network's coordinator is the network's to remove, not a structure's.
                        "removable": $0.active && $0.id != context.agent.id && !($0.network && $0.role == .coordinator),
                    ]
                },
                "journal": journal, "login": form?["login"] ?? "", "name": form?["name"] ?? "",
            ], notice: notice, error: error, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await page(context, form: nil, notice: Notices.text(request), error: nil)
    }

    @Sendable func add(_ request: Request, context: ConsoleContext) async throws -> Response {
        let (agent, form) = (context.agent, context.form)
        let role = AgentRole(rawValue: form["role"] ?? "") ?? .agent
        let password = form.fields.first { $0.0 == "password" }?.1 ?? ""
        do {
            _ = try await office.addAgent(login: form["login"] ?? "", displayName: form["name"] ?? "", role: role, password: password, actor: agent.id)
            return .redirect(to: "/console/agents?done=agent")
        } catch {
            guard let message = ConsoleKit.describe(error) else { throw error }
            return try await page(context, form: form, notice: nil, error: message)
        }
    }

    @Sendable func disable(_ request: Request, context: ConsoleContext) async throws -> Response {
        let agent = context.agent
        let id = try context.parameters.require("id")
        guard id != agent.id else { return try await page(context, form: nil, notice: nil, error: "Vous ne pouvez pas désactiver votre propre compte.") }
        do {
            try await office.disableAgent(id: id, actor: agent.id)
        } catch {
            guard let message = ConsoleKit.describe(error) else { throw error }
            return try await page(context, form: nil, notice: nil, error: message)
        }
        return .redirect(to: "/console/agents")
    }

    @Sendable func purge(_ request: Request, context: ConsoleContext) async throws -> Response {
        let agent = context.agent
        _ = try await office.purgePersonalData(actor: agent.id)
        return .redirect(to: "/console/agents?done=purge")
    }
}
