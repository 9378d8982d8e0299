import Agenda
import Foundation
import Hummingbird
import OfficeKit
import Store

/// The manager's settings of the public self-booking: on or off, which partners and kinds,
/// how far ahead, with how much notice.
struct SelfBookingSettingsPages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        managers.get("rendez-vous-en-ligne", use: show)
        managers.post("rendez-vous-en-ligne", use: save)
    }

    func render(_ context: ConsoleContext, policy: SelfBookingPolicy, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        kit.page(
            "self-booking-settings", title: "Rendez-vous en ligne", section: "self-booking", context: context,
            [
                "enabled": policy.enabled,
                "partners": office.structure.partners.map { ["id": $0.id, "name": $0.name, "checked": policy.partners.contains($0.id)] },
                "kinds": [(BookingKind.permanence, "Permanences sur place des partenaires"), (.visio, "Visio avec un conseiller à distance"), (.room, "Avec un agent France Services")]
                    .map { ["id": $0.0.rawValue, "label": $0.1, "checked": policy.kinds.contains($0.0)] },
                "horizonDays": policy.horizonDays, "minimumNoticeHours": policy.minimumNoticeHours,
                "perContact": SelfBookingPolicy.futureBookingsPerContact,
            ], notice: notice, error: error, status: status)
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        render(context, policy: try await office.database.selfBookingPolicy(), notice: request.uri.queryParameters["fait"] != nil ? "Réglages enregistrés." : nil)
    }

    @Sendable func save(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        let typed = SelfBookingPolicy(
            enabled: form.has("enabled"), partners: Set(form.all("partner")), kinds: Set(form.all("kind").compactMap(BookingKind.init(rawValue:))),
            horizonDays: Int(form["horizonDays"] ?? "") ?? -1, minimumNoticeHours: Int(form["minimumNoticeHours"] ?? "") ?? -1)
        do {
            try await office.database.saveSelfBookingPolicy(typed, structure: office.structure, now: office.clock())
            return .redirect(to: "/console/rendez-vous-en-ligne?fait=1")
        } catch let error as AgendaError {
            return render(context, policy: typed, error: error.french, status: .unprocessableContent)
        }
    }
}
