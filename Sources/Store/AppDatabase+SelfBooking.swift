import Agenda
import Foundation
import GRDB

/// A booking the usager made themselves, with the code that opens it.
public struct SelfBooked: Sendable, Equatable {
    public var booking: Booking
    public var code: String
}

extension AppDatabase {
    static let selfBookingActor = "usager (en ligne)"

    public func selfBookingPolicy() async throws -> SelfBookingPolicy {
        try await writer.read { db in try Self.selfBookingPolicy(db) }
    }

    static func selfBookingPolicy(_ db: Database) throws -> SelfBookingPolicy {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM selfBookingSettings WHERE id = 1") else { return SelfBookingPolicy() }
        let partners = (try? JSONDecoder().decode([String].self, from: Data((row["partners"] as String).utf8))) ?? []
        let kinds = (try? JSONDecoder().decode([String].self, from: Data((row["kinds"] as String).utf8))) ?? []
        return SelfBookingPolicy(
            enabled: row["enabled"], partners: Set(partners), kinds: Set(kinds.compactMap(BookingKind.init(rawValue:))),
            horizonDays: row["horizonDays"], minimumNoticeHours: row["minimumNoticeHours"])
    }

    /// The manager's choice; checked against the structure's partners before anything is written.
    public func saveSelfBookingPolicy(_ policy: SelfBookingPolicy, structure: Structure, now: Date) async throws {
        try policy.validate(partnerIDs: Set(structure.partners.map(\.id)))
        let partners = String(decoding: try JSONEncoder().encode(policy.partners.sorted()), as: UTF8.self)
        let kinds = String(decoding: try JSONEncoder().encode(policy.kinds.map(\.rawValue).sorted()), as: UTF8.self)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO selfBookingSettings (id, enabled, partners, kinds, horizonDays, minimumNoticeHours, updatedAt)
                    VALUES (1, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled, partners = excluded.partners, kinds = excluded.kinds,
                      horizonDays = excluded.horizonDays, minimumNoticeHours = excluded.minimumNoticeHours, updatedAt = excluded.updatedAt
                    """,
                arguments: [policy.enabled, partners, kinds, policy.horizonDays, policy.minimumNoticeHours, now.seconds])
        }
    }

    /// A usager books for themselves: the manager's policy, the per-contact limit and every
    /// agent-booking rule (placement, no double booking) are checked in one write transaction,
    /// so a refusal writes nothing and two usagers racing for one slot cannot both have it.
    public func createSelfBooking(_ request: BookingRequest, structure: Structure, now: Date) async throws -> SelfBooked {
        try request.usager.validate()
        let contact = SelfBookingCode.contactKey(request.usager)
        let network = network
        return try await writeMappingConflicts(
            target: { $0.booking.id }, fallback: AuditLine(actor: Self.selfBookingActor, action: "booking.self-create", at: now)
        ) { db in
            try Self.checkSelfBookable(db, request, structure: structure, now: now)
            if let contact {
                let held = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM selfBooking s JOIN booking b ON b.id = s.booking
                        WHERE s.contact = ? AND b.status = 'booked' AND b.startsAt > ?
                        """,
                    arguments: [contact, now.seconds]) ?? 0
                guard held < SelfBookingPolicy.futureBookingsPerContact else { throw AgendaError.tooManySelfBookings }
            }
            let booking = try Self.insertBooking(db, request, structure: structure, now: now, network: network)
            var code = SelfBookingCode.make()
            while try Bool.fetchOne(db, sql: "SELECT 1 FROM selfBooking WHERE code = ?", arguments: [code]) == true { code = SelfBookingCode.make() }
            try db.execute(
                sql: "INSERT INTO selfBooking (booking, code, contact, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [booking.id, code, contact, now.seconds])
            return SelfBooked(booking: booking, code: code)
        }
    }

    /// The booking a personal code opens (none once purged).
    public func selfBooking(code: String) async throws -> SelfBooked? {
        try await writer.read { db in try Self.selfBooking(db, code: code) }
    }

    static func selfBooking(_ db: Database, code: String) throws -> SelfBooked? {
        guard let id = try String.fetchOne(db, sql: "SELECT booking FROM selfBooking WHERE code = ?", arguments: [code]) else { return nil }
        return SelfBooked(booking: try bookingRecord(db, id: id).booking, code: code)
    }

    /// The code of each of these bookings that the usager made themselves (for their notices).
    public func selfBookingCodes(bookings: [String]) async throws -> [String: String] {
        guard !bookings.isEmpty else { return [:] }
        return try await writer.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT booking, code FROM selfBooking WHERE code IS NOT NULL AND booking IN (\(databaseQuestionMarks(count: bookings.count)))",
                arguments: StatementArguments(bookings))
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["booking"], $0["code"]) })
        }
    }

    /// The usager cancels with their code.
    public func cancelSelfBooking(code: String, now: Date) async throws -> Booking {
        let network = network
        return try await writeMappingConflicts(target: { $0.id }, fallback: AuditLine(actor: Self.selfBookingActor, action: "booking.self-cancel", at: now)) { db in
            guard let found = try Self.selfBooking(db, code: code) else { throw AgendaError.notFound("booking", id: SelfBookingCode.display(code)) }
            var booking = found.booking
            booking.status = try booking.status.applying(.cancel, span: booking.span, now: now)
            booking.updatedAt = now
            booking.sequence += 1
            try Self.save(db, booking, network: network)
            return booking
        }
    }

    /// The usager moves it with their code, to any slot they could book (same rules, same limit).
    public func moveSelfBooking(code: String, to request: BookingRequest, structure: Structure, now: Date) async throws -> Booking {
        let network = network
        return try await writeMappingConflicts(target: { $0.id }, fallback: AuditLine(actor: Self.selfBookingActor, action: "booking.self-move", at: now)) { db in
            guard let found = try Self.selfBooking(db, code: code) else { throw AgendaError.notFound("booking", id: SelfBookingCode.display(code)) }
            try Self.checkSelfBookable(db, request, structure: structure, now: now)
            return try Self.replaceBooking(db, id: found.booking.id, with: request, structure: structure, now: now, network: network)
        }
    }

    /// The manager's policy, read inside the transaction: the kind, the partner (read from the
    /// permanence or visio slot itself, never from the form), the notice and the horizon.
    private static func checkSelfBookable(_ db: Database, _ request: BookingRequest, structure: Structure, now: Date) throws {
        let policy = try selfBookingPolicy(db)
        let partner: String
        switch request.kind {
        case .permanence: partner = try permanence(db, id: request.permanence ?? "").partner
        case .visio: partner = try visioSlot(db, id: request.visioSlot ?? "").partner
        case .room: partner = ""
        }
        guard policy.allows(kind: request.kind, partner: partner, span: request.span, zone: structure.timeZone, now: now) else {
            throw AgendaError.notSelfBookable
        }
    }
}

extension AgendaError {
    public static let tooManySelfBookings = AgendaError(
        code: "too_many_bookings", kind: .conflict,
        french: "Vous avez déjà deux rendez-vous à venir avec ce téléphone ou cette adresse. Annulez-en un, ou appelez-nous.",
        english: "You already have two upcoming appointments with this phone or address. Cancel one, or call us.")

    public static let notSelfBookable = AgendaError(
        code: "not_self_bookable", kind: .invalid,
        french: "Ce créneau ne se réserve pas en ligne (trop proche, trop loin, ou réservé aux agents). Appelez-nous.",
        english: "This slot cannot be booked online (too soon, too far ahead, or for agents only). Please call us.")
}
