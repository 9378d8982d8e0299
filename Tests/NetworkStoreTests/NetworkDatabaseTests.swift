import Agenda
import Foundation
import NetworkStore
import PostgresNIO
import Testing

/// The network's database against a real PostgreSQL 15 (`PrivatePostgres`): its migrations,
/// and the rules it keeps whatever server writes — one specialist never booked twice at once
/// across structures, a structure's room and station its own, the mandate journal append-only.
struct NetworkDatabaseTests {
    let start = Date(timeIntervalSince1970: 1_797_325_200)  // 2026-12-15 09:00 Paris

    private func database(_ name: String) throws -> NetworkDatabaseLocation {
        let server = try PrivatePostgres.shared.get()
        return try NetworkDatabaseLocation(url: server.database(name))
    }

    private func seeded(_ db: NetworkDatabase) async throws {
        for (id, name) in [("mfs-lormes", "France Services de Lormes"), ("mfs-corbigny", "France Services de Corbigny")] {
            try await db.addStructure(id: id, name: name)
        }
        try await db.addSpecialist(id: "caf-visio-1", partner: "caf", name: "Conseillère Caf")
    }

    private func visio(_ structure: String, _ id: String, at start: Date, minutes: Double = 30, room: String = "salle-1") -> NetworkBooking {
        NetworkBooking(
            structure: structure, id: id, kind: "visio", room: room, specialist: "caf-visio-1", station: "visio-1",
            start: start, end: start.addingTimeInterval(minutes * 60))
    }

    @Test func theURLIsCheckedBeforeAnyConnection() {
        for bad in ["mysql://u@h/db", "postgres://h/db", "postgres://u@h/", "postgres://u@h/db?sslmode=maybe", "postgres://u@h/db?x=1",
                    "postgres://u@/db?host=relative"] {
            #expect(throws: NetworkDatabaseURLError.self, "\(bad)") { try NetworkDatabaseLocation(url: bad) }
        }
        #expect(throws: Never.self) { try NetworkDatabaseLocation(url: "postgres://guichet:secret@db.example:5433/guichet?sslmode=require") }
    }

    @Test func migrationsRunOnceEvenFromTwoServersAtOnce() async throws {
        let location = try database("migrations")
        let (a, b) = (NetworkDatabase(location), NetworkDatabase(location))
        async let first = a.run { try await $0.migrationVersions() }
        async let second = b.run { try await $0.migrationVersions() }
        let (one, two) = try await (first, second)
        #expect(one == [1, 2, 3, 4, 5] && two == [1, 2, 3, 4, 5])
    }

    /// The field's case: the same Caf specialist booked for 15 December 09:00 by two structures.
    @Test func aSpecialistIsNeverBookedTwiceAtOnceAcrossStructures() async throws {
        try await NetworkDatabase(try database("specialist")).run { db in
            try await seeded(db)
            try await db.createBooking(visio("mfs-lormes", "b1", at: start))
            await #expect(throws: AgendaError.slotTaken) { try await db.createBooking(visio("mfs-corbigny", "b2", at: start.addingTimeInterval(15 * 60))) }
            // Back to back is fine; each structure's rooms are its own.
            try await db.createBooking(visio("mfs-corbigny", "b3", at: start.addingTimeInterval(30 * 60)))
            try await db.createBooking(NetworkBooking(
                structure: "mfs-corbigny", id: "b4", kind: "room", room: "salle-2", specialist: nil, station: nil, start: start, end: start.addingTimeInterval(1800)))
            await #expect(throws: AgendaError.slotTaken) {
                try await db.createBooking(NetworkBooking(
                    structure: "mfs-corbigny", id: "b5", kind: "room", room: "salle-2", specialist: nil, station: nil, start: start, end: start.addingTimeInterval(600)))
            }
            // A cancelled booking frees the specialist.
            try await db.cancelBooking(structure: "mfs-lormes", id: "b1")
            try await db.createBooking(visio("mfs-corbigny", "b2", at: start.addingTimeInterval(-15 * 60)))
            let held = try await db.specialistBookings("caf-visio-1", from: start.addingTimeInterval(-3600)).map { "\($0.structure)/\($0.id)" }
            #expect(held == ["mfs-corbigny/b2", "mfs-corbigny/b3"])
            // A refused request changes nothing; an unknown structure is named as such.
            await #expect(throws: AgendaError.self) { try await db.createBooking(visio("mfs-nowhere", "b9", at: start.addingTimeInterval(7200))) }
            #expect(try await db.specialistBookings("caf-visio-1", from: start.addingTimeInterval(-3600)).count == 2)
        }
    }

    /// 200 concurrent requests for one specialist's slot, from two servers (pools) of two
    /// structures: exactly one books it, every other gets `slot_taken`.
    @Test func twoHundredConcurrentBookingsOfOneSpecialistFromTwoServersBookOne() async throws {
        let location = try database("race")
        let servers = (NetworkDatabase(location), NetworkDatabase(location))
        try await servers.0.run { first in
            try await seeded(first)
            try await servers.1.run { second in
                let outcomes = await withTaskGroup(of: String.self) { group in
                    for i in 0..<200 {
                        let (db, structure) = i % 2 == 0 ? (first, "mfs-lormes") : (second, "mfs-corbigny")
                        group.addTask {
                            do {
                                try await db.createBooking(visio(structure, "race-\(i)", at: start, room: "salle-\(i)"))
                                return "booked"
                            } catch let error as AgendaError {
                                return error.code
                            } catch {
                                return String(reflecting: error)
                            }
                        }
                    }
                    return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
                }
                #expect(outcomes == ["booked": 1, "slot_taken": 199], "\(outcomes)")
            }
        }
    }

    /// The station sessions a structure hands over carry the language their screens were shown
    /// in; a later hand-over of the same session without one (an older station) keeps it.
    @Test func stationSessionsAreCountedByLanguage() async throws {
        try await NetworkDatabase(try database("languages")).run { db in
            try await seeded(db)
            func use(_ id: String, _ language: String?, minutes: Double = 0) -> StationUse {
                StationUse(
                    id: id, station: "poste-1", start: start.addingTimeInterval(minutes * 60), end: nil, lifeSituations: [], partnerSites: [],
                    pagesPrinted: 1, pagesScanned: 0, helpRequested: false, accompanied: false, language: language)
            }
            try await db.recordStationSessions([use("s1", "uk"), use("s2", "fr", minutes: 20), use("s3", nil, minutes: 40)], structure: "mfs-lormes")
            try await db.recordStationSessions([use("s4", "uk")], structure: "mfs-corbigny")
            try await db.recordStationSessions([use("s1", nil)], structure: "mfs-lormes")
            let rows = try await db.activityByStructure(from: start.addingTimeInterval(-3600), to: start.addingTimeInterval(3600))
            #expect(rows.map(\.structure) == ["mfs-corbigny", "mfs-lormes"])
            #expect(rows.map(\.stationLanguages) == [["uk": 1], ["uk": 1, "fr": 1, "": 1]])
            #expect(rows.map(\.stationSessions) == [1, 3])
            // Outside the period, nothing.
            #expect(try await db.activityByStructure(from: start.addingTimeInterval(7200), to: start.addingTimeInterval(9000)).allSatisfy(\.stationLanguages.isEmpty))
            // The database keeps the rule, whatever writes: a code is a few lowercase letters.
            await #expect(throws: (any Error).self) { try await db.recordStationSessions([use("s5", "Ukrainien")], structure: "mfs-lormes") }
        }
    }

    @Test func theMandateJournalIsAppendOnly() async throws {
        try await NetworkDatabase(try database("journal")).run { db in
            try await seeded(db)
            try await db.recordMandateLines([(1, MandateEvent(mandate: "m1", at: start, kind: .signed, category: nil, actor: "a1"))], structure: "mfs-lormes")
            for statement in ["UPDATE mandate_event SET action = 'x'", "DELETE FROM mandate_event", "TRUNCATE mandate_event"] {
                await #expect(throws: (any Error).self, "\(statement)") { try await db.client.query(.init(unsafeSQL: statement)) }
            }
            var count = 0
            for try await n in try await db.client.query("SELECT count(*) FROM mandate_event").decode(Int.self) { count = n }
            #expect(count == 1)
        }
    }
}
