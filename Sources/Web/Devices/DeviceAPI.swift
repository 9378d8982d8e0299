import Agenda
import Foundation
import Hummingbird
import NIOCore
import OfficeKit
import Store
import StructureConfig

/// What an enrolled PC calls: `POST /api/v1/devices/enrol` spends a code for a credential
/// (no session; the code is the proof), `POST /api/v1/devices/contact` says it is alive.
struct DeviceAPI {
    let office: Office

    func addRoutes(to router: Router<GuichetRequestContext>) {
        let group = router.group("api/v1/devices")
        group.post("enrol", use: enrol)
        group.post("contact", use: contact)
        group.get("settings", use: settings)
        group.post("outbox", use: outbox)
        group.post("check-in", use: checkIn)
        group.post("self-booking/step", use: selfBookingStep)
        group.post("self-booking", use: selfBook)
    }

    /// A station's own call: its device, which must be a station.
    func station(_ request: Request) async throws -> Device {
        let device = try await DeviceAuthentication.device(request, office: office)
        guard device.kind == .station else {
            throw APIError(status: .forbidden, code: "not_a_station", french: "Réservé aux postes en libre accès.", english: "Self-service stations only.")
        }
        return device
    }

    /// The structure's configuration as the stations need it: the document itself, without
    /// the visio's relay secret (a station has no use for it).
    @Sendable func settings(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        _ = try await station(request)
        guard var document = try JSONSerialization.jsonObject(with: office.config.document) as? [String: Any] else {
            throw HTTPError(.internalServerError, message: "configuration document unavailable")
        }
        if var visio = document["visio"] as? [String: Any] {
            visio["turnSecret"] = nil
            visio["turnServers"] = nil
            document["visio"] = visio
        }
        var response = Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    struct Delivery: Decodable {
        struct Item: Decodable {
            let key: String
            let record: StationRecord
        }
        let records: [Item]
    }

    /// A station's outbox: each record once, by its key; a station speaks for itself only.
    @Sendable func outbox(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        try APIAccessMiddleware.requireJSON(request, allowEmpty: false)
        let device = try await station(request)
        let delivery = try await request.decodeJSON(Delivery.self)
        guard delivery.records.count <= 500 else {
            throw APIError(status: .contentTooLarge, code: "too_many_records", french: "500 enregistrements au plus par envoi.", english: "At most 500 records per delivery.")
        }
        for item in delivery.records {
            guard (1...40).contains(item.key.count), item.key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw APIError.malformedJSON("key '\(item.key.prefix(40))'")
            }
            if let station = item.record.station, station != device.id {
                throw APIError(
                    status: .forbidden, code: "other_station", french: "Un poste ne parle que pour lui-même (\(station)).",
                    english: "A station speaks for itself only (\(station)).")
            }
        }
        let applied = try await office.database.deliver(delivery.records.map { ($0.key, $0.record) }, device: device.id, now: office.clock())
        // Counted here as they are first applied: a station's facts show on the server's metrics.
        for record in applied { office.metrics.station(record) }
        return try Response.state(["received": delivery.records.map(\.key), "applied": applied.count])
    }

    struct CheckIn: Decodable {
        let name: String
    }

    @Sendable func checkIn(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        try APIAccessMiddleware.requireJSON(request, allowEmpty: false)
        _ = try await station(request)
        let input = try await request.decodeJSON(CheckIn.self)
        guard input.name.count <= 120 else { throw APIError.malformedJSON("name longer than 120") }
        let found = try await office.stationBackend.checkIn(name: input.name, now: office.clock())
        return try Response.state(["found": found])
    }

    /// A station's self-booking asks the server's agenda, under the public page's policy; each
    /// station may book a limited number an hour (a shared PC, used in turn).
    static let stationBookingsPerHour = 12

    @Sendable func selfBookingStep(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        try APIAccessMiddleware.requireJSON(request, allowEmpty: false)
        _ = try await station(request)
        let ask = try await request.decodeJSON(StationBookingAsk.self)
        return try .json(try await office.stationBackend.selfBookingStep(ask, now: office.clock()))
    }

    struct StationBooking: Decodable {
        let slot: String
        let situation: String?
        let name: String
    }

    @Sendable func selfBook(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        try APIAccessMiddleware.requireJSON(request, allowEmpty: false)
        let device = try await station(request)
        let input = try await request.decodeJSON(StationBooking.self)
        guard input.name.count <= 120, input.slot.count <= 200, (input.situation ?? "").count <= 100 else { throw APIError.malformedJSON("field too long") }
        guard office.formTokens.allow("station-booking \(device.id)", perHour: Self.stationBookingsPerHour, now: office.clock()) else {
            throw APIError(
                status: .tooManyRequests, code: "too_many_bookings", french: "Trop de rendez-vous pris depuis ce poste cette heure-ci : adressez-vous à l’accueil.",
                english: "Too many appointments booked from this station this hour: please ask at the front desk.")
        }
        let booked = try await office.stationBackend.selfBook(slot: input.slot, situation: input.situation, name: input.name, now: office.clock())
        return try .json(booked, status: .created)
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
