import Foundation
import GRDB
@testable import Store
import Testing

/// The database file as an administrator meets it: one daemon per folder, a version it
/// knows, a backup before a migration, permissions that keep personal data private.
struct DatabaseFileTests {
    let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-dbfile-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()
    var path: String { folder.appendingPathComponent("guichet.sqlite").path }

    func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    @Test func aSecondLockOnTheSameFolderIsRefusedNamingFolderAndHolder() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try DataFolderLock(folder: folder.path)
        do {
            _ = try DataFolderLock(folder: folder.path)
            Issue.record("the second lock was granted")
        } catch let error as StoreError {
            #expect(error.description.contains(folder.path))
            #expect(error.description.contains("process \(getpid())"))
        }
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsFreeAgainOnceItsHolderIsGone() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var first: DataFolderLock? = try DataFolderLock(folder: folder.path)
        #expect(first != nil)
        first = nil
        _ = try DataFolderLock(folder: folder.path)
    }

    @Test func databaseAndWALAreCreatedPrivate() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase.open(path: path)
        try await database.writer.write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
    }

    @Test func aDatabaseFromANewerVersionIsRefusedAndLeftUntouched() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let database = try AppDatabase.open(path: path)
            try database.writer.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        }
        func content() throws -> [String] {
            let queue = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
            return try queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") + String.fetchAll(db, sql: "SELECT name FROM sqlite_master ORDER BY name") }
        }
        let before = try content()
        #expect {
            _ = try AppDatabase.open(path: path)
        } throws: { ($0 as? StoreError)?.description.contains("newer version") == true && "\($0)".contains("v99-from-the-future") }
        #expect { _ = try AppDatabase.openExisting(path: path) } throws: { $0 is StoreError }
        #expect(try content() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".before-") }.isEmpty)
    }

    @Test func anOlderDatabaseIsBackedUpBeforeItsMigration() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let queue = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(queue, upTo: "v4-station")
            try queue.write { db in try db.execute(sql: "INSERT INTO stationWipe (station, at, durationMs, reason, succeeded, leftovers) VALUES ('poste-1', 1, 5, 'button', 1, 0)") }
        }
        // A read-only command refuses to migrate it.
        #expect { _ = try AppDatabase.openExisting(path: path) } throws: { "\($0)".contains("needs migrating") }
        var said: [String] = []
        let database = try AppDatabase.open(path: path) { said.append($0) }
        let backups = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("guichet.sqlite.before-v5-visio-") }
        #expect(backups.count == 1)
        #expect(said.count == 1 && said[0].contains("v5-visio") && said[0].contains(backups.first ?? "?"))
        let backup = folder.appendingPathComponent(backups[0]).path
        #expect(try mode(backup) == 0o600)
        // The backup is the database as it was: a consistent SQLite file at v4, with its rows.
        let old = try DatabaseQueue(path: backup)
        #expect(try old.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stationWipe") } == 1)
        #expect(try old.read { db in try db.tableExists("visioLink") } == false)
        #expect(try database.writer.read { db in try db.tableExists("visioLink") })
    }

    @Test func theNoticesTableRebuiltForClosuresKeepsItsRowsAndItsChecks() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let queue = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(queue, upTo: "v10-self-booking")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO booking (id, kind, room, startsAt, endsAt, status, createdAt, updatedAt) VALUES ('b-1', 'room', 'salle', 100, 200, 'booked', 1, 1);
                    INSERT INTO bookingNotice (booking, channel, kind, startsAt, attempts, nextAttemptAt, sentAt) VALUES ('b-1', 'email', 'confirmation', 100, 1, 5, 5);
                    """)
            }
        }
        let database = try AppDatabase.open(path: path) { _ in }
        try database.writer.write { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM bookingNotice WHERE kind = 'confirmation' AND sentAt = 5") == 1)
            try db.execute(sql: "INSERT INTO bookingNotice (booking, channel, kind, startsAt, attempts, nextAttemptAt) VALUES ('b-1', 'sms', 'closure', 100, 1, 5)")
            #expect(throws: (any Error).self) {
                try db.execute(sql: "INSERT INTO bookingNotice (booking, channel, kind, startsAt, attempts, nextAttemptAt) VALUES ('b-1', 'sms', 'gossip', 100, 1, 5)")
            }
            #expect(try db.indexes(on: "bookingNotice").contains { $0.name == "bookingNotice_gaveUp" })
        }
    }

    @Test func readingAMissingDatabaseCreatesNothing() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("typo/guichet.sqlite").path
        #expect { _ = try AppDatabase.openExisting(path: missing) } throws: { "\($0)".contains("no database at") }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
