import Agenda
import Foundation
import Hummingbird
import OfficeKit

/// What an enrolled PC calls: `POST /api/v1/devices/enrol` spends a code for a credential
/// (no session; the code is the proof), `POST /api/v1/devices/contact` says it is alive.
struct DeviceAPI {
    let office: Office

    func addRoutes(to router: Router<GuichetRequestContext>) {
        let group = router.group("api/v1/devices")
        group.post("enrol", use: enrol)
        group.post("contact", use: contact)
    }

    struct Enrolment: Decodable {
        let code: String
        let kind: String
        let version: String?
    }

    struct Enrolled: Encodable {
        let device: String
        let kind: String
        let credential: String
        let structure: String
    }

    @Sendable func enrol(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        try APIAccessMiddleware.requireJSON(request, allowEmpty: false)
        let input = try await request.decodeJSON(Enrolment.self)
        guard let kind = Device.Kind(rawValue: input.kind) else {
            throw APIError(status: .badRequest, code: "invalid_kind", french: "Type de poste inconnu : \(input.kind).", english: "Unknown device kind: \(input.kind).")
        }
        guard input.code.count <= 20 else { throw Self.unknownCode }
        do {
            let (device, credential) = try await office.devices.enrol(code: input.code, kind: kind, version: input.version ?? "", address: context.clientAddress)
            var response = try Response.json(
                Enrolled(device: device.id, kind: device.kind.rawValue, credential: credential, structure: office.structure.name), status: .created)
            response.headers[.cacheControl] = "no-store"
            return response
        } catch DeviceRegistry.EnrolmentError.unknownCode {
            throw Self.unknownCode
        } catch DeviceRegistry.EnrolmentError.tooManyAttempts {
            throw APIError(
                status: .tooManyRequests, code: "too_many_attempts", french: "Trop de codes faux depuis cette adresse : réessayez dans un quart d’heure.",
                english: "Too many wrong codes from this address: try again in a quarter of an hour.")
        }
    }

    static let unknownCode = APIError(
        status: .forbidden, code: "enrolment_code", french: "Code d’enrôlement inconnu, expiré, déjà utilisé ou d’un autre type de poste.",
        english: "Unknown, expired or spent enrolment code, or one for another kind of device.")

    struct Contact: Decodable {
        let version: String?
        let health: String?
    }

    @Sendable func contact(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        try APIAccessMiddleware.requireJSON(request, allowEmpty: false)
        let device = try await DeviceAuthentication.device(request, office: office)
        let input = try await request.decodeJSON(Contact.self)
        try await office.devices.contact(device, version: input.version ?? "", health: input.health ?? "")
        return try Response.state(["device": device.id, "kind": device.kind.rawValue, "structure": office.structure.id])
    }
}
