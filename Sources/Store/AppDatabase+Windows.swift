import Agenda
import Foundation
import GRDB

/// Permanences and visio slots: the windows in which usagers can be booked.
extension AppDatabase {
    public func permanences(includeCancelled: Bool = false) async throws -> [Permanence] {
        try await writer.read { db in try Self.permanences(db, includeCancelled: includeCancelled) }
    }

    static func permanences(_ db: Database, includeCancelled: Bool = false) throws -> [Permanence] {
        var exceptions: [String: Set<LocalDate>] = [:]
        for row in try PermanenceExceptionRecord.fetchAll(db) {
            if let date = LocalDate(iso: row.date) { exceptions[row.permanence, default: []].insert(date) }
        }
        var request = PermanenceRecord.order(Column("id"))
        if !includeCancelled { request = request.filter(Column("cancelled") == false) }
        return try request.fetchAll(db).map { try $0.permanence(exceptions: exceptions[$0.id] ?? []) }
    }

    /// The live permanences held in one room, with their exceptions (cached statements: read
    /// inside each room booking's write transaction).
    static func permanences(_ db: Database, room: String) throws -> [Permanence] {
        let records = try PermanenceRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM permanence WHERE room = ? AND cancelled = 0"), arguments: [room])
        guard !records.isEmpty else { return [] }
        let exceptions = try PermanenceExceptionRecord.fetchAll(
            db.cachedStatement(sql: "SELECT e.* FROM permanenceException e JOIN permanence p ON p.id = e.permanence WHERE p.room = ?"), arguments: [room])
        var dates: [String: Set<LocalDate>] = [:]
        for e in exceptions { if let d = LocalDate(iso: e.date) { dates[e.permanence, default: []].insert(d) } }
        return try records.map { try $0.permanence(exceptions: dates[$0.id] ?? []) }
    }

    public func permanence(id: String) async throws -> Permanence {
        try await writer.read { db in try Self.permanence(db, id: id) }
    }

    /// Read twice in each booking (its plan, then its write): cached statements, as SQL built
    /// by the query interface is generated and authorized anew each time.
    static func permanence(_ db: Database, id: String) throws -> Permanence {
        guard let record = try PermanenceRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM permanence WHERE id = ?"), arguments: [id]) else {
            throw AgendaError.notFound("permanence", id: id)
        }
        let dates = try String.fetchAll(db.cachedStatement(sql: "SELECT date FROM permanenceException WHERE permanence = ?"), arguments: [id])
        return try record.permanence(exceptions: Set(dates.compactMap(LocalDate.init(iso:))))
    }

    /// Schedules a partner advisor's recurring permanence in a room, inside opening hours,
    /// without colliding with another window of the same specialist or room.
    public func addPermanence(
        specialist specialistID: String, room: String, recurrence: Recurrence, hours: LocalTimeRange, firstDate: LocalDate,
        lastDate: LocalDate?, structure: Structure, now: Date
    ) async throws -> Permanence {
        guard structure.room(room) != nil else { throw AgendaError.unknownReference("room", what: "room", id: room) }
        return try await write(target: { $0.id }) { db in
            let specialist = try Self.specialist(db, id: specialistID)
            let permanence = Permanence(
                id: Identifier.make("p"), partner: specialist.partner, specialist: specialist.id, room: room,
                recurrence: recurrence, hours: hours, firstDate: firstDate, lastDate: lastDate)
            // Checked against the plan in force on its first date (a change may be announced).
            let calendar = try Self.openingCalendar(db, structure: structure)
            try PermanenceRules.check(permanence, hours: calendar.hours(on: max(firstDate, structure.timeZone.localDate(now))))
            let from = max(firstDate, structure.timeZone.localDate(now))
            let spans = permanence.occurrences(from: from, to: from.adding(days: 366), zone: structure.timeZone)
            try Self.checkWindowsFree(db, specialist: specialist.id, room: room, spans: spans, zone: structure.timeZone)
            try PermanenceRecord(permanence).insert(db)
            return permanence
        }
    }

    /// Takes one date out of a permanence; returns the bookings on that date to warn.
    public func addPermanenceException(id: String, date: LocalDate, zone: StructureTimeZone) async throws -> (permanence: Permanence, hits: [Booking]) {
        try await write { db in
            guard var record = try PermanenceRecord.fetchOne(db, key: id) else { throw AgendaError.notFound("permanence", id: id) }
            var permanence = try Self.permanence(db, id: id)
            guard permanence.dates(from: date, to: date) == [date] else {
                throw AgendaError.invalidField("date", french: "La permanence n'a pas lieu le \(date).", english: "The permanence does not take place on \(date).")
            }
            try PermanenceExceptionRecord(permanence: id, date: date.description).insert(db)
            record.sequence += 1
            try record.update(db)
            permanence.exceptions.insert(date)
            permanence.sequence = record.sequence
            let hits = try BookingRecord.filter(BookingRecord.Columns.permanence == id).fetchAll(db).map(\.booking)
                .filter { ($0.status == .booked || $0.status == .checkedIn) && zone.localDate($0.span.start) == date }
            return (permanence, hits)
        }
    }

    /// Ends a permanence series; its future bookings are listed so the usagers can be warned.
    public func cancelPermanence(id: String, now: Date) async throws -> (permanence: Permanence, hits: [Booking]) {
        try await write { db in
            guard var record = try PermanenceRecord.fetchOne(db, key: id) else { throw AgendaError.notFound("permanence", id: id) }
            if !record.cancelled {
                record.cancelled = true
                record.sequence += 1
                try record.update(db)
            }
            let hits = try BookingRecord.filter(BookingRecord.Columns.permanence == id)
                .filter(BookingRecord.Columns.startsAt >= now.seconds)
                .filter([BookingStatus.booked.rawValue, BookingStatus.checkedIn.rawValue].contains(BookingRecord.Columns.status))
                .fetchAll(db).map(\.booking)
            return (try Self.permanence(db, id: id), hits)
        }
    }

    public func visioSlots(overlapping span: TimeSpan) async throws -> [VisioSlot] {
        try await writer.read { db in try Self.visioSlots(db, overlapping: span) }
    }

    static func visioSlots(_ db: Database, overlapping span: TimeSpan) throws -> [VisioSlot] {
        try VisioSlotRecord
            .filter(VisioSlotRecord.Columns.startsAt < span.end.seconds && VisioSlotRecord.Columns.endsAt > span.start.seconds)
            .order(VisioSlotRecord.Columns.startsAt)
            .fetchAll(db).map(\.visioSlot)
    }

    public func visioSlot(id: String) async throws -> VisioSlot {
        try await writer.read { db in try Self.visioSlot(db, id: id) }
    }

    static func visioSlot(_ db: Database, id: String) throws -> VisioSlot {
        guard let record = try VisioSlotRecord.fetchOne(db, key: id) else { throw AgendaError.notFound("visio slot", id: id) }
        return record.visioSlot
    }

    /// Opens a visio window for a remote specialist in the confidential space, on its visio
    /// station, inside opening hours and clear of closures and of the specialist's and the
    /// room's other windows.
    public func addVisioSlot(specialist specialistID: String, span: TimeSpan, structure: Structure, now: Date) async throws -> VisioSlot {
        guard span.start < span.end else { throw AgendaError.endBeforeStart }
        guard let room = structure.confidentialRoom, let station = structure.visioStation else {
            throw AgendaError(code: "no_visio_device", kind: .conflict, french: "Aucun espace confidentiel équipé pour la visio n'est configuré.", english: "No confidential space with a visio device is configured.")
        }
        return try await write(target: { $0.id }) { db in
            let specialist = try Self.specialist(db, id: specialistID)
            let plan = try Self.hoursPlan(db, structure: structure, now: now)
            try BookingPlacement.check(
                span: span, window: nil, opening: plan.calendar, zone: structure.timeZone,
                closures: try Self.closures(db, overlapping: span), now: now)
            try Self.checkWindowsFree(db, specialist: specialist.id, room: room.id, spans: [span], zone: structure.timeZone)
            let slot = VisioSlot(id: Identifier.make("v"), partner: specialist.partner, specialist: specialist.id, room: room.id, station: station.id, span: span)
            try VisioSlotRecord(slot).insert(db)
            return slot
        }
    }

    /// Cancels a visio window; returns its bookings still to be warned.
    public func cancelVisioSlot(id: String) async throws -> (slot: VisioSlot, hits: [Booking]) {
        try await write { db in
            guard var record = try VisioSlotRecord.fetchOne(db, key: id) else { throw AgendaError.notFound("visio slot", id: id) }
            if !record.cancelled {
                record.cancelled = true
                record.sequence += 1
                try record.update(db)
            }
            let hits = try BookingRecord.filter(BookingRecord.Columns.visioSlot == id)
                .filter([BookingStatus.booked.rawValue, BookingStatus.checkedIn.rawValue].contains(BookingRecord.Columns.status))
                .fetchAll(db).map(\.booking)
            return (record.visioSlot, hits)
        }
    }

    /// Refuses `spans` when the specialist or the room already has a permanence or a visio
    /// window at an overlapping time. Runs inside the writing transaction.
    static func checkWindowsFree(_ db: Database, specialist: String, room: String, spans: [TimeSpan], zone: StructureTimeZone) throws {
        guard let first = spans.map(\.start).min(), let last = spans.map(\.end).max() else { return }
        let range = TimeSpan(first, last)
        for other in try permanences(db) where other.specialist == specialist || other.room == room {
            let occurrences = other.occurrences(from: zone.localDate(first), to: zone.localDate(last), zone: zone)
            if occurrences.contains(where: { o in spans.contains { $0.overlaps(o) } }) {
                throw other.specialist == specialist ? AgendaError.specialistBusy(specialist) : roomBusy(room)
            }
        }
        for other in try visioSlots(db, overlapping: range) where !other.cancelled && (other.specialist == specialist || other.room == room) {
            if spans.contains(where: { $0.overlaps(other.span) }) {
                throw other.specialist == specialist ? AgendaError.specialistBusy(specialist) : roomBusy(room)
            }
        }
    }

    static func roomBusy(_ room: String) -> AgendaError {
        AgendaError(
            code: "room_busy", kind: .conflict,
            french: "La salle « \(room) » accueille déjà une permanence ou un créneau visio à ce moment-là.",
            english: "Room '\(room)' already hosts a permanence or a visio slot at that time.", details: ["room": room])
    }
}
