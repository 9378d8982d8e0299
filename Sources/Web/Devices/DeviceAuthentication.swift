import Agenda
import Hummingbird
import OfficeKit

/// Every call of an enrolled PC carries its credential as `Authorization: Bearer`; an
/// unknown or revoked one gets 401, wherever it comes from.
enum DeviceAuthentication {
    static let refusal = APIError(
        status: .unauthorized, code: "device_credential", french: "Poste inconnu ou révoqué : enrôlez-le depuis la console (Postes).",
        english: "Unknown or revoked device: enrol it from the console (Postes).")

    static func device(_ request: Request, office: Office) async throws -> Device {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let device = try await office.devices.authenticate(String(header.dropFirst(7)))
        else { throw refusal }
        return device
    }
}
