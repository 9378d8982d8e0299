import Agenda
import Foundation
import HTTPTypes
import Hummingbird
import OfficeKit
import Store

/// "Postes" (managers only): the structure's stations and its room PC, each with its
/// enrolment, its last contact, version and health; a one-time code to enrol one; a revoke.
struct DevicePages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        managers.get("devices", use: list)
        managers.post("devices/{id}/code", use: code)
        managers.post("devices/{id}/revoke", use: revoke)
    }

    /// The configuration's PCs: each self-service station, and each visio station (the room).
    var declared: [(id: String, name: String, kind: Device.Kind)] {
        office.structure.stations.compactMap { station in
            if station.selfService { return (station.id, station.name, .station) }
            if station.visio { return (station.id, station.name, .room) }
            return nil
        }
    }

    func page(
        _ context: ConsoleContext, issued: (id: String, code: DeviceRegistry.Code)? = nil, server: String = "https://ADRESSE-DU-SERVEUR", notice: String?
    ) async throws -> Response {
        let known = Dictionary(uniqueKeysWithValues: try await office.database.devices().map { ($0.id, $0) })
        let now = office.clock()
        let rows: [[String: Any]] = declared.map { pc in
            let device = known[pc.id]
            var state = "Jamais enrôlé"
            if let device {
                if device.isEnrolled {
                    state = "Enrôlé le \(kit.dateTime(device.enrolledAt!))"
                } else if let revoked = device.revokedAt {
                    state = "Révoqué le \(kit.dateTime(revoked))"
                }
                if let expires = device.codeExpiresAt, expires > now { state += " — code en attente jusqu’à \(kit.time(expires))" }
            }
            return [
                "id": pc.id, "name": pc.name, "kind": pc.kind == .room ? "Salle (visio)" : "Poste en libre accès", "state": state,
                "lastContact": device?.lastContactAt.map(kit.dateTime) ?? "—", "version": device?.version ?? "—", "health": device?.health ?? "—",
                "enrolled": device?.isEnrolled ?? false,
            ]
        }
        var values: [String: Any] = ["devices": rows, "fingerprint": office.network.certificateFingerprint ?? false]
        if let issued {
            let kind = declared.first { $0.id == issued.id }?.kind ?? .station
            values["issued"] = [
                "id": issued.id, "code": issued.code.text, "until": kit.time(issued.code.expires),
                "command": "guichet \(kind == .room ? "room" : "station") enrol --server \(server) --code \(issued.code.text)"
                    + (office.network.certificateFingerprint.map { " --fingerprint \($0)" } ?? ""),
            ]
        }
        return kit.page("devices", title: "Postes", section: "devices", context: context, values, notice: notice)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await page(context, notice: Notices.text(request))
    }

    private func declaredPC(_ context: ConsoleContext) throws -> (id: String, name: String, kind: Device.Kind) {
        let id = try context.parameters.require("id")
        guard let pc = declared.first(where: { $0.id == id }) else { throw HTTPError(.notFound, message: "Poste inconnu : \(id)") }
        return pc
    }

    @Sendable func code(_ request: Request, context: ConsoleContext) async throws -> Response {
        let pc = try declaredPC(context)
        let code = try await office.devices.issueCode(for: pc.id, kind: pc.kind, actor: context.agent.id)
        // Shown once, on this answer only: the code is not kept in clear anywhere.
        // The address this manager reached the server by (behind nginx: the public one).
        let host = request.head.authority ?? request.headers[HTTPField.Name("Host")!]
        let server = host.map { "\(context.secure ? "https" : "http")://\($0)" } ?? "https://ADRESSE-DU-SERVEUR"
        var response = try await page(context, issued: (pc.id, code), server: server, notice: nil)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func revoke(_ request: Request, context: ConsoleContext) async throws -> Response {
        let pc = try declaredPC(context)
        do {
            try await office.devices.revoke(pc.id, actor: context.agent.id)
        } catch let error as AgendaError where error.kind == .notFound {
            throw HTTPError(.conflict, message: "Ce poste n’a jamais été enrôlé.")
        }
        return .redirect(to: "/console/devices?done=device-revoked")
    }
}
