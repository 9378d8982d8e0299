import Agenda
import Dispatch
import Foundation
import NetworkStore
import PostgresNIO
import Testing

/// A structure's membership of the network (`NetworkMembership`), against a real PostgreSQL 15:
/// what the structure's database hands it inside its write transaction, the specialists' other
/// bookings, the reconciliation after a start, and a network out of reach.
struct NetworkMembershipTests {
    let start = Date(timeIntervalSince1970: 1_797_325_200)  // 2026-12-15 09:00 Paris

    private func booking(_ id: String, at start: Date, specialist: String? = "caf-martin", status: BookingStatus = .booked, sequence: Int = 0) -> Booking {
        Booking(
            id: id, kind: specialist == nil ? .room : .permanence, partner: specialist == nil ? nil : "caf", lifeSituation: nil, permanence: nil,
            visioSlot: nil, room: "bureau", specialist: specialist, station: nil, span: TimeSpan(start, start.addingTimeInterval(1800)),
            status: status, usager: Usager(name: "U"), createdAt: start, updatedAt: start, sequence: sequence)
    }

    /// Two structures' memberships of one fresh network database, its pool running. A busy CI
    /// machine's first connection can take more than production's 3 s: these tests are about
    /// what is written, so they wait longer (the outage test below keeps a short timeout).
    private func network(_ name: String, _ body: @Sendable (NetworkMembership, NetworkMembership) async throws -> Void) async throws {
        let location = try NetworkDatabaseLocation(url: try PrivatePostgres.shared.get().database(name))
        try await NetworkDatabase(location).run { db in
            try await body(
                NetworkMembership(database: db, structure: "mfs-lormes", name: "Lormes", timeout: .seconds(30), holdGrace: .zero),
                NetworkMembership(database: db, structure: "mfs-corbigny", name: "Corbigny", timeout: .seconds(30), holdGrace: .zero))
        }
    }

    /// `record` as the structure's database calls it: synchronously, from a thread of its own.
    private func record(_ booking: Booking, in membership: NetworkMembership) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async { done.resume(with: Result { try membership.record(booking) }) }
        }
    }

    @Test func aBookingMovedOrCancelledInOneStructureFreesTheSpecialistForTheOthers() async throws {
        try await network("membership") { lormes, corbigny in
            try await record(booking("b1", at: start), in: lormes)
            await #expect(throws: AgendaError.slotTaken) { try await record(booking("b2", at: start.addingTimeInterval(900)), in: corbigny) }
            let day = TimeSpan(start.addingTimeInterval(-3600), start.addingTimeInterval(8 * 3600))
            #expect(try await corbigny.busyElsewhere(specialists: ["caf-martin", "cpam-benali"], during: day) == ["caf-martin": [booking("b1", at: start).span]])
            #expect(try await lormes.busyElsewhere(specialists: ["caf-martin"], during: day).isEmpty)
            // Moved an hour later in Lormes: Corbigny's quarter past nine is free.
            try await record(booking("b1", at: start.addingTimeInterval(3600)), in: lormes)
            try await record(booking("b2", at: start.addingTimeInterval(900)), in: corbigny)
            // Cancelled in Lormes: its hour is free too, and an older version handed over late
            // (a reconciliation's snapshot) does not book it again.
            try await record(booking("b1", at: start.addingTimeInterval(3600), status: .cancelled, sequence: 2), in: lormes)
            try await record(booking("b1", at: start.addingTimeInterval(3600), sequence: 1), in: lormes)
            try await record(booking("b3", at: start.addingTimeInterval(3600)), in: corbigny)
            #expect(try await lormes.busyElsewhere(specialists: ["caf-martin"], during: day).values.flatMap { $0 }.count == 2)
        }
    }

    @Test func reconciliationAddsWhatTheNetworkMissedReleasesWhatTheStructureNoLongerHoldsAndNamesConflicts() async throws {
        try await network("reconcile") { lormes, corbigny in
            try await record(booking("held", at: start), in: corbigny)
            // Lormes' server stopped between the network's commit and its own: the network holds "orphan".
            try await record(booking("orphan", at: start.addingTimeInterval(7200)), in: lormes)
            // Lormes joins with its history: "kept" is new to the network, "clash" has Corbigny's specialist at that time.
            let past = start.addingTimeInterval(-30 * 86_400)
            let refused = try await lormes.reconcile(endingAfter: start.addingTimeInterval(-86_400)) {
                [booking("kept", at: start.addingTimeInterval(3600)), booking("clash", at: start), booking("old", at: past)]
            }
            #expect(refused.map(\.booking.id) == ["clash"] && refused.map(\.error) == [.slotTaken])
            let ids = try await lormes.database.liveBookings(structure: "mfs-lormes", endingAfter: past.addingTimeInterval(-1))
            #expect(ids == ["kept"])
            // The orphan is gone, not cancelled: the network's reports count only what Lormes recorded.
            #expect(try await lormes.database.structureCounts("mfs-lormes").bookings == 1)
            // The orphan's time is free for Corbigny again.
            try await record(booking("after", at: start.addingTimeInterval(7200)), in: corbigny)
        }
    }

    @Test func aNetworkOutOfReachIsSaidPlainlyAndOnlyStopsSharedSpecialists() async throws {
        let nowhere = try NetworkDatabaseLocation(url: "postgres://guichet@/guichet?host=/nonexistent-guichet-socket-dir")
        let db = NetworkDatabase(nowhere)
        let membership = NetworkMembership(database: db, structure: "mfs-lormes", name: "Lormes", timeout: .seconds(1), pause: .seconds(60))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await db.client.run() }
            defer { group.cancelAll() }
            await #expect(throws: AgendaError.networkUnavailable) { try await record(booking("b1", at: start), in: membership) }
            // Again at once, without waiting for the network (the structure's other writes queue behind this one).
            await #expect(throws: AgendaError.networkUnavailable) { try await record(booking("b2", at: start), in: membership) }
            await #expect(throws: AgendaError.networkUnavailable) {
                try await membership.busyElsewhere(specialists: ["caf-martin"], during: booking("b1", at: start).span)
            }
            // An agent's own appointment (no shared specialist) is not held back.
            try await record(booking("b3", at: start, specialist: nil), in: membership)
        }
    }

    @Test func theMandateJournalIsHandedOverLineByLineOnce() async throws {
        try await network("mandates") { lormes, corbigny in
            let kinds: [(MandateEventKind, MandateCategory?)] = [(.signed, nil), (.printed, nil), (.categoryWithdrawn, .housing), (.signed, nil), (.withdrawn, nil)]
            let journal = kinds.enumerated().map { i, kind in
                (line: Int64(i + 1), event: MandateEvent(mandate: "m\(i / 3)", at: start.addingTimeInterval(Double(i) * 60), kind: kind.0, category: kind.1, actor: "a1"))
            }
            var asked: [Int64] = []
            func read(_ after: Int64, _ limit: Int) -> [(line: Int64, event: MandateEvent)] {
                asked.append(after)
                return Array(journal.filter { $0.line > after }.prefix(limit))
            }
            // Two lines at a time: three batches, each from the last line handed over.
            #expect(try await lormes.handOverMandateJournal(batch: 2) { read($0, $1) } == 5)
            #expect(asked == [0, 2, 4])
            // Again: only what is new is read, nothing is added twice.
            #expect(try await lormes.handOverMandateJournal(batch: 2) { read($0, $1) } == 0)
            #expect(asked.last == 5)
            // Another structure's journal numbers its own lines.
            #expect(try await corbigny.handOverMandateJournal { read($0, $1) } == 5)
            let rows = try await lormes.database.client.withConnection { connection in
                var rows: [String] = []
                for try await (structure, line, mandate, action) in try await connection.query(
                    "SELECT structure, source_id, mandate, action FROM mandate_event ORDER BY structure DESC, source_id", logger: .init(label: "test")
                ).decode((String, Int64, String, String).self) {
                    rows.append("\(structure) \(line) \(mandate) \(action)")
                }
                return rows
            }
            #expect(rows.count == 10)
            #expect(rows.prefix(5) == ["mfs-lormes 1 m0 signed", "mfs-lormes 2 m0 printed", "mfs-lormes 3 m0 category-withdrawn:housing", "mfs-lormes 4 m1 signed", "mfs-lormes 5 m1 withdrawn"])
        }
    }
}
