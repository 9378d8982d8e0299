import OfficeKit
import StructureConfig
import Agenda
import Foundation
import Hummingbird
import Store

/// The visit record (one quick form) and referrals to partner referents.
struct FollowUpPages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        console.get("contacts/new", use: contactForm)
        console.post("contacts", use: recordContact)
        console.get("referrals", use: referrals)
        console.post("referrals", use: sendReferral)
        console.post("referrals/{id}/answer", use: answer)
        console.post("referrals/{id}/close", use: close)
    }

    // MARK: contacts

    func contactPage(_ context: ConsoleContext, form: FormData?, notice: String?, error: String?) -> Response {
        let chosen = Set(form?.all("partners") ?? [])
        return kit.page(
            "contact", title: "Noter une visite", section: "contact", context: context,
            [
                "partners": kit.partnerOptions.map { var o = $0; o["checked"] = chosen.contains(o["id"] as? String ?? ""); return o },
                "situations": kit.situationOptions.map { var o = $0; o["selected"] = (o["id"] as? String) == form?["lifeSituation"]; return o },
                "channels": ContactChannel.allCases.map { ["id": $0.rawValue, "label": $0.french, "checked": (form?["channel"] ?? "walk-in") == $0.rawValue] },
                "outcomes": ContactOutcome.allCases.map { ["id": $0.rawValue, "label": $0.french, "checked": (form?["outcome"] ?? "resolved") == $0.rawValue] },
                "reason": form?["reason"] ?? "", "note": form?["note"] ?? "", "accompanied": form?.has("accompanied") ?? false,
                "general": form?.has("general") ?? false,
            ], notice: notice, error: error, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func contactForm(_ request: Request, context: ConsoleContext) async throws -> Response {
        contactPage(context, form: nil, notice: Notices.text(request), error: nil)
    }

    @Sendable func recordContact(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        guard let channel = ContactChannel(rawValue: form["channel"] ?? ""), let outcome = ContactOutcome(rawValue: form["outcome"] ?? "") else {
            return contactPage(context, form: form, notice: nil, error: "Choisissez le canal et l’issue de la visite.")
        }
        let input = ContactInput(
            partners: form.all("partners"), lifeSituation: form.nonEmpty("lifeSituation"), reason: form["reason"] ?? "", channel: channel,
            accompanied: form.has("accompanied"), outcome: outcome, note: form.nonEmpty("note"), generalInformation: form.has("general"))
        do {
            let contact = try await office.database.recordContact(input, agent: context.agent.id, structure: office.structure, now: office.clock())
            if outcome == .referred { return .redirect(to: "/console/referrals?done=contact&partner=\(contact.partners.first ?? "")") }
            return .redirect(to: "/console/contacts/new?done=contact")
        } catch let error as AgendaError {
            return contactPage(context, form: form, notice: nil, error: error.french)
        }
    }

    // MARK: referrals

    func referralsPage(_ request: Request, _ context: ConsoleContext, form: FormData?, notice: String?, error: String?) async throws -> Response {
        let now = office.clock()
        let all = try await office.database.referrals(openOrSentSince: now.addingTimeInterval(-30 * 86_400))
        let referents = office.config.console.referents
        func row(_ r: Referral) -> [String: Any] {
            let status = r.status(at: now)
            return [
                "id": r.id, "partner": kit.partnerName(r.partner), "referent": referents.first { $0.id == r.referent }?.name ?? r.referent,
                "subject": r.subject, "usager": r.usagerName ?? "", "sent": kit.dateTime(r.sentAt), "deadline": kit.dateTime(r.deadline),
                "status": status.french, "statusKey": status.rawValue, "answer": r.answer ?? "", "answered": r.answeredAt.map(kit.dateTime) ?? "",
                "canAnswer": status == .sent || status == .overdue, "canClose": status != .closed,
            ]
        }
        let overdue = all.filter { $0.status(at: now) == .overdue }.map(row)
        let others = all.filter { $0.status(at: now) != .overdue }.map(row)
        let preferred = form?["partner"] ?? request.uri.queryParameters["partner"].map(String.init)
        return kit.page(
            "referrals", title: "Orientations vers les référents", section: "referrals", context: context,
            [
                "overdue": overdue, "hasOverdue": !overdue.isEmpty, "others": others, "hasOthers": !others.isEmpty,
                "referents": referents.map { ["id": $0.id, "label": "\(kit.partnerName($0.partner)) — \($0.name)", "selected": $0.partner == preferred || $0.id == form?["referent"]] },
                "subject": form?["subject"] ?? "", "usager": form?["usager"] ?? "",
            ], notice: notice, error: error, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func referrals(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await referralsPage(request, context, form: nil, notice: Notices.text(request), error: nil)
    }

    @Sendable func sendReferral(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        guard let referent = office.config.console.referents.first(where: { $0.id == form["referent"] }) else {
            return try await referralsPage(request, context, form: form, notice: nil, error: "Choisissez un référent.")
        }
        do {
            _ = try await office.database.sendReferral(
                partner: referent.partner, referent: referent.id, subject: form["subject"] ?? "", usagerName: form.nonEmpty("usager"),
                agent: context.agent.id, structure: office.structure, now: office.clock())
            return .redirect(to: "/console/referrals?done=referral")
        } catch let error as AgendaError {
            return try await referralsPage(request, context, form: form, notice: nil, error: error.french)
        }
    }

    @Sendable func answer(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        let id = try context.parameters.require("id")
        do {
            _ = try await office.database.answerReferral(id: id, answer: form["answer"] ?? "", now: office.clock())
            return .redirect(to: "/console/referrals?done=answered")
        } catch let error as AgendaError {
            return try await referralsPage(request, context, form: nil, notice: nil, error: error.french)
        }
    }

    @Sendable func close(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await office.database.closeReferral(id: id, now: office.clock())
        return .redirect(to: "/console/referrals?done=closed")
    }
}
