import OfficeKit
import StructureConfig
import Agenda
import Foundation
import Hummingbird
import Store

/// Mandates signed on site: register, withdraw (a category or all), print for every party.
struct MandatePages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        console.get("mandates", use: list)
        console.post("mandates", use: sign)
        console.post("mandates/{id}/withdraw", use: withdraw)
        console.get("mandates/{id}/print", use: print)
    }

    func listPage(_ context: ConsoleContext, form: FormData?, notice: String?, error: String?) async throws -> Response {
        let now = office.clock()
        let mandates = try await office.database.mandates().map { m -> [String: Any] in
            [
                "id": m.id, "name": m.usagerName ?? "(données effacées)", "signed": kit.dateTime(m.signedAt), "expires": kit.dateTime(m.expiresAt),
                "duration": m.duration.french, "active": m.isActive(at: now), "printable": m.usagerName != nil,
                "state": m.withdrawnAt != nil ? "Retiré" : (now >= m.expiresAt ? "Expiré" : "En cours"),
                "scopes": m.scopes.map { s in
                    ["id": s.category.rawValue, "label": s.category.french, "withdrawn": s.withdrawnAt != nil, "mandate": m.id,
                     "canWithdraw": s.withdrawnAt == nil && m.isActive(at: now)] as [String: Any]
                },
            ]
        }
        let chosen = Set(form?.all("categories") ?? [])
        return kit.page(
            "mandates", title: "Mandats", section: "mandates", context: context,
            [
                "mandates": mandates, "hasMandates": !mandates.isEmpty,
                "categories": MandateCategory.allCases.map { ["id": $0.rawValue, "label": $0.french, "checked": chosen.contains($0.rawValue)] },
                "durations": MandateDuration.allCases.map { ["id": $0.rawValue, "label": $0.french, "checked": (form?["duration"] ?? "one-month") == $0.rawValue] },
                "name": form?["name"] ?? "", "document": form?["document"] ?? "", "parties": form?["parties"] ?? "2",
            ], notice: notice, error: error, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await listPage(context, form: nil, notice: Notices.text(request), error: nil)
    }

    @Sendable func sign(_ request: Request, context: ConsoleContext) async throws -> Response {
        let (agent, form) = (context.agent, context.form)
        guard form["identityChecked"] == "yes", form["informed"] == "yes" else {
            return try await listPage(context, form: form, notice: nil,
                error: "Vérifiez l’identité de l’usager et informez-le de ses droits avant l’enregistrement.")
        }
        let categories = form.all("categories").compactMap(MandateCategory.init(rawValue:))
        guard let duration = MandateDuration(rawValue: form["duration"] ?? ""), let parties = Int(form["parties"] ?? "") else {
            return try await listPage(context, form: form, notice: nil, error: "Choisissez la durée et le nombre de parties.")
        }
        do {
            _ = try await office.database.signMandate(
                usagerName: form["name"] ?? "", identityDocument: form["document"] ?? "", categories: categories, duration: duration,
                parties: parties, agent: agent.id, zone: kit.zone, now: office.clock())
            return .redirect(to: "/console/mandates?done=mandate")
        } catch let error as AgendaError {
            return try await listPage(context, form: form, notice: nil, error: error.french)
        }
    }

    @Sendable func withdraw(_ request: Request, context: ConsoleContext) async throws -> Response {
        let (agent, form) = (context.agent, context.form)
        let id = try context.parameters.require("id")
        let category = form.nonEmpty("category").flatMap(MandateCategory.init(rawValue:))
        if form.nonEmpty("category") != nil && category == nil {
            return try await listPage(context, form: nil, notice: nil, error: "Catégorie inconnue.")
        }
        do {
            _ = try await office.database.withdrawMandate(id: id, category: category, actor: agent.id, now: office.clock())
            return .redirect(to: "/console/mandates?done=withdrawn")
        } catch let error as AgendaError {
            return try await listPage(context, form: nil, notice: nil, error: error.french)
        }
    }

    /// The mandate document, one copy per party, ready for the browser's print dialogue.
    @Sendable func print(_ request: Request, context: ConsoleContext) async throws -> Response {
        let agent = context.agent
        let mandate = try await office.database.mandate(id: try context.parameters.require("id"))
        guard let name = mandate.usagerName else {
            return kit.page("message", title: "Mandat effacé", section: "mandates", context: context,
                ["message": "Les données personnelles de ce mandat ont été effacées : il ne peut plus être imprimé.", "back": "/console/mandates"], status: .gone)
        }
        try await office.database.recordMandatePrinted(id: mandate.id, actor: agent.id, now: office.clock())
        let s = office.structure
        let copies = (1...mandate.parties).map { n -> [String: Any] in
            ["n": n, "of": mandate.parties, "name": name, "document": mandate.identityDocument ?? "", "agent": agent.displayName,
             "signed": kit.dateTime(mandate.signedAt), "expires": kit.dateTime(mandate.expiresAt), "duration": mandate.duration.french,
             "categories": mandate.activeCategories.map(\.french), "structure": s.name, "address": s.address, "id": mandate.id]
        }
        return pages.console.page("mandate-print", ["copies": copies, "title": "Mandat \(mandate.id)"])
    }
}
