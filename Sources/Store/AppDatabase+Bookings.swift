import Agenda
import Foundation
import GRDB

/// What an agent (or the kiosk) asks for when booking a usager.
public struct BookingRequest: Sendable {
    public var kind: BookingKind
    public var permanence: String?
    public var visioSlot: String?
    /// For a room booking; the confidential space when nil.
    public var room: String?
    public var lifeSituation: String?
    public var span: TimeSpan
    public var usager: Usager

    public init(kind: BookingKind, permanence: String? = nil, visioSlot: String? = nil, room: String? = nil, lifeSituation: String? = nil, span: TimeSpan, usager: Usager) {
        self.kind = kind
        self.permanence = permanence
        self.visioSlot = visioSlot
        self.room = room
        self.lifeSituation = lifeSituation
        self.span = span
        self.usager = usager
    }
}

extension AppDatabase {
    public func booking(id: String) async throws -> Booking {
        try await writer.read { db in try Self.bookingRecord(db, id: id).booking }
    }

    static func bookingRecord(_ db: Database, id: String) throws -> BookingRecord {
        guard let record = try BookingRecord.fetchOne(db, key: id) else { throw AgendaError.notFound("booking", id: id) }
        return record
    }

    /// Bookings overlapping `span`, every status, by start.
    public func bookings(overlapping span: TimeSpan) async throws -> [Booking] {
        try await writer.read { db in try Self.bookings(db, overlapping: span) }
    }

    /// The same, read once every write in flight has committed (or failed): what another
    /// database must match, without mistaking a booking being written for a missing one.
    public func bookingsAfterWritesInFlight(overlapping span: TimeSpan) async throws -> [Booking] {
        try await writer.write { db in try Self.bookings(db, overlapping: span) }
    }

    static func bookings(_ db: Database, overlapping span: TimeSpan) throws -> [Booking] {
        try BookingRecord
            .filter(BookingRecord.Columns.startsAt < span.end.seconds && BookingRecord.Columns.endsAt > span.start.seconds)
            .order(BookingRecord.Columns.startsAt, BookingRecord.Columns.id)
            .fetchAll(db).map(\.booking)
    }

    /// Bookings with one specialist, every status (for the specialist's calendar feed).
    public func bookings(specialist: String) async throws -> [Booking] {
        try await writer.read { db in
            try BookingRecord.filter(BookingRecord.Columns.specialist == specialist).order(BookingRecord.Columns.startsAt).fetchAll(db).map(\.booking)
        }
    }

    /// Books a usager. The placement rules run inside the write transaction, and the
    /// schema's triggers refuse any overlap on the room, the specialist or the station, so
    /// two concurrent requests for one slot can never both succeed.
    ///
    /// In a network the booking is held there first, outside this database's writer (so a
    /// structure's bookings wait for PostgreSQL side by side, not one after the other), then
    /// written here with every rule checked again; refused here, it is let go there. A server
    /// stopped in between leaves a hold the next reconciliation releases.
    public func createBooking(_ request: BookingRequest, structure: Structure, now: Date) async throws -> Booking {
        try request.usager.validate()
        @Sendable func insert(handingTo network: (any NetworkClaims)?, id: String = Identifier.make("b")) async throws -> Booking {
            try await writeMappingConflicts(target: { $0.id }) { db in try Self.insertBooking(db, request, structure: structure, now: now, network: network, id: id) }
        }
        guard let network else { return try await insert(handingTo: nil) }
        // Every rule first (a request refused anyway never reaches the network), then again in the write.
        let planned = try await writer.read { db in try Self.plannedBooking(db, request, structure: structure, now: now, id: Identifier.make("b")) }
        // The structure's own appointment (an agent, a room): handed over if the network answers, never held back by it.
        guard planned.specialist != nil else { return try await insert(handingTo: network) }
        try await network.hold(planned)
        do {
            let booking = try await insert(handingTo: nil, id: planned.id)
            // Its permanence or slot changed in between: what the network holds is not this.
            guard booking == planned else { throw AgendaError.slotTaken }
            return booking
        } catch {
            await network.letGo(planned)
            throw error
        }
    }

    /// The booking `request` would make, its resources filled in and every placement rule checked.
    static func plannedBooking(_ db: Database, _ request: BookingRequest, structure: Structure, now: Date, id: String) throws -> Booking {
        var booking = Booking(
            id: id, kind: request.kind, partner: nil, lifeSituation: request.lifeSituation,
            permanence: nil, visioSlot: nil, room: "", specialist: nil, station: nil, span: request.span,
            status: .booked, usager: request.usager, createdAt: now, updatedAt: now, sequence: 0)
        let window = try Self.place(&booking, request: request, db: db, structure: structure)
        try Self.checkPlacement(db, span: booking.span, window: window, agentRoom: booking.kind == .room ? booking.room : nil, structure: structure, now: now)
        return booking
    }

    static func insertBooking(
        _ db: Database, _ request: BookingRequest, structure: Structure, now: Date, network: (any NetworkClaims)?, id: String = Identifier.make("b")
    ) throws -> Booking {
        let booking = try plannedBooking(db, request, structure: structure, now: now, id: id)
        try save(db, booking, inserting: true, network: network)
        return booking
    }

    /// Places an existing booking anew (another permanence, visio slot or day), keeping its
    /// id, usager and history: the usager's notices then speak of a move, not a new booking.
    static func replaceBooking(
        _ db: Database, id: String, with request: BookingRequest, structure: Structure, now: Date, network: (any NetworkClaims)?
    ) throws -> Booking {
        var booking = try bookingRecord(db, id: id).booking
        _ = try booking.status.applying(.reschedule, span: booking.span, now: now)
        booking.kind = request.kind
        booking.permanence = nil
        booking.visioSlot = nil
        booking.specialist = nil
        booking.station = nil
        booking.partner = nil
        booking.span = request.span
        let window = try place(&booking, request: request, db: db, structure: structure)
        try checkPlacement(db, span: booking.span, window: window, agentRoom: booking.kind == .room ? booking.room : nil, structure: structure, now: now)
        booking.updatedAt = now
        booking.sequence += 1
        try save(db, booking, network: network)
        return booking
    }

    /// Writes a booking as it now is, here and, in a network, in the network's database: inside
    /// the caller's transaction and after this database's own checks, so that a refusal there
    /// (another structure holds the specialist, the network is out of reach) writes nothing here.
    static func save(_ db: Database, _ booking: Booking, inserting: Bool = false, network: (any NetworkClaims)?) throws {
        let record = BookingRecord(booking)
        if inserting { try record.insert(db) } else { try record.update(db) }
        try network?.record(booking)
    }

    /// Moves a booking to another time within the same permanence or visio slot (or room).
    public func rescheduleBooking(id: String, to span: TimeSpan, structure: Structure, now: Date) async throws -> Booking {
        let network = network
        return try await writeMappingConflicts { db in
            var booking = try Self.bookingRecord(db, id: id).booking
            _ = try booking.status.applying(.reschedule, span: booking.span, now: now)
            let window: TimeSpan?
            switch booking.kind {
            case .permanence:
                let p = try Self.permanence(db, id: booking.permanence ?? "")
                window = try Self.permanenceWindow(p, containing: span, zone: structure.timeZone)
            case .visio:
                window = try Self.visioSlot(db, id: booking.visioSlot ?? "").span
            case .room:
                window = nil
            }
            try Self.checkPlacement(db, span: span, window: window, agentRoom: booking.kind == .room ? booking.room : nil, structure: structure, now: now)
            booking.span = span
            booking.updatedAt = now
            booking.sequence += 1
            try Self.save(db, booking, network: network)
            return booking
        }
    }

    /// Records what happened to a booking (cancel, check-in, no-show, done).
    public func applyBookingEvent(id: String, _ event: BookingEvent, now: Date) async throws -> Booking {
        let network = network
        return try await writeMappingConflicts { db in
            var booking = try Self.bookingRecord(db, id: id).booking
            booking.status = try booking.status.applying(event, span: booking.span, now: now)
            booking.updatedAt = now
            booking.sequence += 1
            try Self.save(db, booking, network: network)
            return booking
        }
    }

    /// Fills in the resources a request reserves; returns the window it must fit in.
    private static func place(_ booking: inout Booking, request: BookingRequest, db: Database, structure: Structure) throws -> TimeSpan? {
        let window: TimeSpan?
        switch request.kind {
        case .permanence:
            guard let id = request.permanence else {
                throw AgendaError.invalidField("permanence", french: "Précisez la permanence.", english: "The permanence is required.")
            }
            let p = try Self.permanence(db, id: id)
            booking.permanence = p.id
            booking.partner = p.partner
            booking.room = p.room
            booking.specialist = p.specialist
            window = try permanenceWindow(p, containing: request.span, zone: structure.timeZone)
        case .visio:
            guard let id = request.visioSlot else {
                throw AgendaError.invalidField("visioSlot", french: "Précisez le créneau visio.", english: "The visio slot is required.")
            }
            let slot = try Self.visioSlot(db, id: id)
            guard !slot.cancelled else {
                throw AgendaError(code: "slot_cancelled", kind: .conflict, french: "Ce créneau visio a été annulé.", english: "This visio slot was cancelled.")
            }
            booking.visioSlot = slot.id
            booking.partner = slot.partner
            booking.room = slot.room
            booking.specialist = slot.specialist
            booking.station = slot.station
            window = slot.span
        case .room:
            let roomID = request.room ?? structure.confidentialRoom?.id ?? ""
            guard structure.room(roomID) != nil else { throw AgendaError.unknownReference("room", what: "room", id: roomID) }
            booking.room = roomID
            window = nil
        }
        if let situation = request.lifeSituation {
            guard let s = structure.lifeSituation(situation) else {
                throw AgendaError.unknownReference("lifeSituation", what: "life situation", id: situation)
            }
            if let partner = booking.partner, !s.partners.contains(partner) {
                throw AgendaError.invalidField("lifeSituation", french: "La situation de vie « \(s.titleFrench) » ne relève pas de ce partenaire.", english: "Life situation '\(s.titleEnglish)' is not served by this partner.")
            }
        }
        return window
    }

    static func permanenceWindow(_ p: Permanence, containing span: TimeSpan, zone: StructureTimeZone) throws -> TimeSpan {
        let date = zone.localDate(span.start)
        guard p.dates(from: date, to: date) == [date] else {
            throw AgendaError(
                code: "outside_window", kind: .invalid,
                french: "La permanence n'a pas lieu le \(date).", english: "The permanence does not take place on \(date).")
        }
        return zone.span(date, p.hours)
    }

    /// The placement rules, read inside the writing transaction; an agent's room booking
    /// (`agentRoom`) must also stay clear of the partners' windows holding that room.
    private static func checkPlacement(_ db: Database, span: TimeSpan, window: TimeSpan?, agentRoom: String?, structure: Structure, now: Date) throws {
        let plan = try hoursPlan(db, structure: structure, now: now)
        try BookingPlacement.check(
            span: span, window: window, opening: plan.calendar, zone: structure.timeZone,
            closures: try closures(db, overlapping: span), now: now)
        if let agentRoom {
            try PartnerWindows.checkFree(
                room: agentRoom, span: span, permanences: try permanences(db, room: agentRoom),
                visioSlots: try VisioSlotRecord.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM visioSlot WHERE room = ? AND cancelled = 0 AND startsAt < ? AND endsAt > ?"),
                    arguments: [agentRoom, span.end.seconds, span.start.seconds]
                ).map(\.visioSlot),
                zone: structure.timeZone)
        }
    }

    /// A write whose overlap-trigger failure becomes the agenda's "slot taken".
    func writeMappingConflicts<T: Sendable>(
        target: @escaping @Sendable (T) -> String? = { _ in nil }, fallback: AuditLine? = nil, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        do {
            return try await write(target: target, fallback: fallback, body)
        } catch let error as DatabaseError where error.message == "slot_taken" {
            throw AgendaError.slotTaken
        }
    }
}
