import Agenda
import Foundation
import GRDB
import Store
import Testing

/// A station's facts: the wire form is strict, the outbox keeps order, and a delivery sent
/// twice is taken once.
struct StationRecordTests {
    let at = Date(timeIntervalSince1970: 1_796_000_000)

    var records: [StationRecord] {
        [
            .use(StationUse(id: "k0123456789abcdef", station: "poste-2", start: at, end: nil, lifeSituations: ["having-baby"], partnerSites: ["caf"],
                            pagesPrinted: 2, pagesScanned: 1, helpRequested: false, accompanied: false, language: "ar")),
            .help(station: "poste-2", session: "k0123456789abcdef", at: at),
            .satisfaction(at: at, score: 4),
            .wipe(station: "poste-2", at: at, durationMs: 38, reason: "button", succeeded: true, leftovers: 0),
            .alert(station: "poste-2", message: "le scanner ne répond pas", at: at),
            .closeUnfinished(station: "poste-2", at: at),
        ]
    }

    @Test func theWireFormRoundTripsAndRefusesWhatItDoesNotKnow() throws {
        for record in records {
            #expect(try JSONDecoder().decode(StationRecord.self, from: JSONEncoder().encode(record)) == record)
        }
        for bad in [
            #"{"kind":"format-disk"}"#, #"{"kind":"satisfaction","at":1796000000,"score":9}"#,
            #"{"kind":"help","station":"","at":1796000000}"#, #"{"kind":"wipe","station":"p","at":-5,"durationMs":1,"reason":"x","succeeded":true,"leftovers":0}"#,
            #"{"kind":"use","id":"k1","station":"p","start":1796000000,"lifeSituations":[],"partnerSites":[],"pagesPrinted":-1,"pagesScanned":0,"helpRequested":false,"accompanied":false}"#,
            // The session's language is a code, nothing else (no text a usager could have typed).
            #"{"kind":"use","id":"k1","station":"p","start":1796000000,"lifeSituations":[],"partnerSites":[],"pagesPrinted":0,"pagesScanned":0,"helpRequested":false,"accompanied":false,"language":"Jeanne Martin"}"#,
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try JSONDecoder().decode(StationRecord.self, from: Data(bad.utf8)) }
        }
    }

    @Test func aDeliverySentTwiceIsTakenOnce() async throws {
        let server = try AppDatabase.inMemory()
        let keyed = records.enumerated().map { ("o-\($0.offset)", $0.element) }
        #expect(try await server.deliver(keyed, device: "poste-2", now: at).count == records.count)
        // The answer was lost; the station sends the same batch again, plus one new record.
        let again = keyed + [("o-new", StationRecord.satisfaction(at: at, score: 2))]
        #expect(try await server.deliver(again, device: "poste-2", now: at).count == 1)
        let counts = try await server.writer.read { db in
            try (Int.fetchOne(db, sql: "SELECT COUNT(*) FROM satisfactionAnswer")!, Int.fetchOne(db, sql: "SELECT COUNT(*) FROM helpRequest")!,
                 Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stationSession")!, Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stationWipe")!)
        }
        #expect(counts == (2, 2, 1, 1))  // help and the out-of-service alert are two requests
        // The session's language reaches the server, and the help request shows it to the agent.
        #expect(try await server.openHelpRequests().first { $0.reason == .help }?.language == "ar")
        // The same key from another device is that device's own record.
        #expect(try await server.deliver([("o-0", records[2])], device: "poste-1", now: at).count == 1)
    }

    @Test func theOutboxKeepsOrderUntilTheServerHasIt() async throws {
        let station = try AppDatabase.inMemory()
        for record in records { try await station.enqueue(record, now: at) }
        let first = try await station.outbox(limit: 4)
        #expect(first.map(\.record) == Array(records.prefix(4)))
        #expect(Set(first.map(\.key)).count == 4)
        try await station.removeFromOutbox(upTo: first.last!.seq)
        #expect(try await station.outbox(limit: 10).map(\.record) == Array(records.suffix(2)))
        #expect(try await station.outboxCount() == 2)
    }
}
