import Agenda
import Foundation
import HTTPTypes
import Hummingbird

/// Every error the API returns: JSON with a stable code and a French and English message.
///
/// ```json
/// {"error": {"code": "slot_taken", "message": {"fr": "…", "en": "…"}, "details": {}}}
/// ```
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let french: String
    public let english: String
    public let details: [String: String]

    public init(status: HTTPResponse.Status, code: String, french: String, english: String, details: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.french = french
        self.english = english
        self.details = details
    }

    /// The one place where agenda refusals become HTTP statuses.
    public init(_ error: AgendaError) {
        let status: HTTPResponse.Status =
            switch error.kind {
            case .invalid: .unprocessableContent
            case .notFound: .notFound
            case .conflict: .conflict
            case .unavailable: .serviceUnavailable
            }
        self.init(status: status, code: error.code, french: error.french, english: error.english, details: error.details)
    }

    public static func malformedJSON(_ detail: String) -> APIError {
        APIError(
            status: .badRequest, code: "malformed_json",
            french: "Le corps de la requête n'est pas un JSON valide ou il y manque un champ (\(detail)).",
            english: "The request body is not valid JSON or misses a field (\(detail)).")
    }

    public static let payloadTooLarge = APIError(
        status: .contentTooLarge, code: "payload_too_large",
        french: "Le corps de la requête dépasse 64 Kio.", english: "The request body exceeds 64 KiB.")

    public static func invalid(_ field: String, french: String, english: String) -> APIError {
        APIError(AgendaError.invalidField(field, french: french, english: english))
    }

    public static let routeNotFound = APIError(
        status: .notFound, code: "route_not_found",
        french: "Cette adresse n'existe pas dans l'API Guichet.", english: "No such route in the Guichet API.")

    public static let internalError = APIError(
        status: .internalServerError, code: "internal_error",
        french: "Erreur interne : la demande n'a pas été enregistrée. Réessayez ou prévenez un agent.",
        english: "Internal error: the request was not recorded. Try again or tell an agent.")

    struct Body: Encodable {
        struct Inner: Encodable {
            let code: String
            let message: [String: String]
            let details: [String: String]
        }
        let error: Inner
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(code: code, message: ["fr": french, "en": english], details: details))
        let data = try JSONEncoder.api.encode(body)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension JSONEncoder {
    /// Sorted keys: stable output for clients, caches and tests.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
